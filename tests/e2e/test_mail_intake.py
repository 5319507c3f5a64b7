"""Email intake on the real local stack: smtplib to 127.0.0.1:SMTP_PORT, then the outbox and the status JSON.

The SMTP server stores each mail in the raw-mail bucket and publishes SES's notification; the same
handler as in AWS runs from the mail queue. Each test writes from its own sender address, so tests
never see each other's mail in the shared outbox.
"""

from __future__ import annotations

import re
import smtplib
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests.support.faults import local_fault
from tests.support.mail_forms import (
    INTAKE,
    docx_form_mail,
    form_lines,
    gbk_form_mail,
    html_table_mail,
    reply_mail,
    text_mail,
)

pytestmark = pytest.mark.e2e
STATUS_LINK = re.compile(r"https?://\S+/requests/(CR-\d{4}-\w{6})\?token=[\w-]+")


def sender() -> str:
    return f"p{uuid.uuid4().hex[:10]}@example.org"


def send(stack, raw: bytes, mail_from: str, to: str = INTAKE) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.sendmail(mail_from, [to], raw)


def mail_to(address: str):
    return lambda message: address in message.get("to", [])


def status_path(message: dict) -> str:
    url = STATUS_LINK.search(message["text"]).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def mails_to(stack, address: str) -> list[dict]:
    return [m for m in stack.outbox() if address in m.get("to", [])]


def test_mail_that_cannot_be_stored_is_deferred_with_451_and_taken_when_sent_again(stack):
    """The sending server keeps a mail answered 4xx and tries again; a 5xx would bounce it."""
    address = sender()
    raw = gbk_form_mail(address, email=address)
    with (
        local_fault(stack.base_url, "s3", "outage", operations=["PutObject"]),
        pytest.raises(smtplib.SMTPDataError) as deferred,
    ):
        send(stack, raw, address)
    assert deferred.value.smtp_code == 451
    assert any("451, the sender will retry" in line for line in stack.log)

    send(stack, raw, address)  # the retry, once storage is back
    ack = stack.wait_for_mail(lambda m: mail_to(address)(m) and "已收到" in m["subject"])
    assert stack.wait_for_status(status_path(ack), "queued")
    assert len([m for m in mails_to(stack, address) if "已收到" in m["subject"]]) == 1


def test_other_recipients_are_refused_at_rcpt(stack):
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        code, _ = smtp.ehlo()
        assert code == 250
        smtp.mail("a@example.org")
        code, answer = smtp.rcpt("someone-else@news.example.cn")
    assert code == 550, answer


@pytest.mark.parametrize(
    "build", [gbk_form_mail, html_table_mail, docx_form_mail], ids=["gbk-body", "html-only-table", "docx-form"]
)
def test_a_complete_form_is_acknowledged_and_queued(stack, build):
    address = sender()

    send(stack, build(address, email=address), address)

    ack = stack.wait_for_mail(lambda m: mail_to(address)(m) and "已收到" in m["subject"])
    assert ack["headers"].get("Auto-Submitted") == "auto-replied"
    document = stack.wait_for_status(status_path(ack), "queued")
    assert document["reference"] in ack["subject"]
    assert "某地发生交通事故" in ack["text"]  # the title, read from the body, the table or the .docx


def test_an_incomplete_mail_is_answered_and_completed_by_a_reply(stack):
    address = sender()
    body = form_lines(skip=("稿件链接", "联系电话"), email=address)
    send(stack, text_mail(body, sender=address, charset="gbk", declared="GB2312"), address)

    notice = stack.wait_for_mail(lambda m: mail_to(address)(m) and "不全" in m["subject"])
    assert "稿件链接（Article URL）" in notice["text"] and "Phone (联系电话)" in notice["text"]
    assert "/?lang=en" in notice["text"]
    path = status_path(notice)
    reference = stack.get_json(path)["reference"]
    assert reference in notice["subject"] and stack.get_json(path)["status"] == "incomplete"

    original = {"Message-ID": notice["headers"]["Message-ID"], "Subject": notice["subject"]}
    reply = "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n联系电话：13800000000\n\n> 原邮件引用\n"
    send(stack, reply_mail(original, reply, sender=address), address)

    ack = stack.wait_for_mail(lambda m: mail_to(address)(m) and "已收到" in m["subject"])
    assert reference in ack["subject"]  # the same request, not a new one
    assert stack.wait_for_status(path, "queued")["reference"] == reference


def test_an_automatic_reply_gets_no_answer(stack):
    address = sender()
    send(stack, text_mail(form_lines(skip=("稿件链接",), email=address), sender=address), address)
    notice = stack.wait_for_mail(lambda m: mail_to(address)(m) and "不全" in m["subject"])
    path = status_path(notice)

    original = {"Message-ID": notice["headers"]["Message-ID"], "Subject": notice["subject"]}
    out_of_office = reply_mail(
        original,
        "I am out of the office until Monday.",
        sender=address,
        headers={"Auto-Submitted": "auto-replied"},
        subject="Automatic reply: " + notice["subject"],
    )
    send(stack, out_of_office, address)
    # And a vacation notice that names no request at all.
    send(stack, text_mail("休假中", sender=address, headers={"Auto-Submitted": "auto-replied"}), address)

    time.sleep(3)  # the pollers have long handled both by now: nothing more may arrive
    assert len(mails_to(stack, address)) == 1
    assert stack.get_json(path)["status"] == "incomplete"


def test_a_forged_reply_changes_nothing_and_a_forged_sender_is_only_asked_to_confirm(stack):
    """Issue 9 on the real stack: `X-Corrigo-Local-Verdicts` makes the local SMTP intake report what
    SES reports for a forged From."""
    address = sender()
    send(stack, text_mail(form_lines(skip=("稿件链接",), email=address), sender=address), address)
    notice = stack.wait_for_mail(lambda m: mail_to(address)(m) and "不全" in m["subject"])
    path = status_path(notice)

    original = {"Message-ID": notice["headers"]["Message-ID"], "Subject": notice["subject"]}
    forged = reply_mail(
        original,
        "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n",
        sender=address,
        headers={"X-Corrigo-Local-Verdicts": "spf=fail dkim=fail dmarc=fail"},
    )
    send(stack, forged, address)
    victim = sender()
    send(
        stack,
        text_mail(
            form_lines(skip=("稿件链接",), email=victim),
            sender=victim,
            headers={"X-Corrigo-Local-Verdicts": "dmarc=fail"},
        ),
        victim,
    )

    told = stack.wait_for_mail(lambda m: mail_to(victim)(m))
    assert "/confirm?token=" in told["text"] and "某地发生交通事故" not in told["text"]
    time.sleep(3)  # the forged reply was handled long before: it changed nothing and was not answered
    assert stack.get_json(path)["status"] == "incomplete"
    assert len(mails_to(stack, address)) == 1
