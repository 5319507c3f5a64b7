"""The mail-intake handler on moto built from template.yaml: each kind of mail ends where issue 3 says."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from corrigo.lifecycle import Action, Status
from handlers.partial_batch import BatchFailed
from tests.support.events import REAL_WORLD, ses_received_notification, sns_envelope
from tests.support.mail_forms import (
    INTAKE,
    docx_form_mail,
    form_lines,
    gbk_form_mail,
    html_table_mail,
    reply_mail,
    text_mail,
)

REAL_MAILS = sorted(p for p in (REAL_WORLD / "mails").rglob("*") if p.is_file() and p.name != "INDEX.md")
DEFINED = {Status.RECEIVED, Status.INCOMPLETE, Status.QUARANTINED}


def no_failures(delivery) -> None:
    assert delivery.answer == {"batchItemFailures": []}


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("path", REAL_MAILS, ids=lambda p: str(p.relative_to(REAL_WORLD / "mails")))
def test_every_real_world_mail_ends_in_a_defined_state(path: Path, deliver, table, sent_mail):
    delivery = deliver(path.read_bytes())

    no_failures(delivery)
    request = table.get(delivery.reference)
    assert request is not None and request.status in DEFINED
    assert request.channel == "email" and request.source["mail"]["key"] == delivery.key
    if request.status is Status.QUARANTINED:
        assert request.source["mail"]["quarantine_reason"]
        assert sent_mail() == []  # robots, bounces and spam are never answered


@pytest.mark.parametrize("build", [gbk_form_mail, html_table_mail, docx_form_mail], ids=["gbk", "html", "docx"])
def test_a_complete_form_is_received_and_queued_like_a_web_submission(build, deliver, table, queued_references):
    delivery = deliver(build())

    no_failures(delivery)
    request = table.get(delivery.reference)
    assert request.status is Status.RECEIVED
    assert request.fields["requester_email"] == "zs@example.org"
    assert request.fields["article_url"] == "https://news.example.cn/2025/03/05/traffic.html"
    assert queued_references() == [request.reference]


def test_the_docx_form_is_kept_as_evidence_in_s3(aws, deliver, table):
    delivery = deliver(docx_form_mail())

    [attachment] = table.get(delivery.reference).source["attachments"]
    assert attachment["filename"] == "新闻稿件修改申请表.docx"
    stored = aws.clients("s3").get_object(Bucket=attachment["bucket"], Key=attachment["key"])
    assert stored["ContentType"] == "application/octet-stream"  # downloaded, never rendered
    assert attachment["key"].startswith(f"attachments/{delivery.key.rsplit('/', 1)[-1]}/")


def test_attachments_over_the_limits_are_listed_not_kept(aws, deliver, table, monkeypatch):
    from handlers import mail_intake

    service = mail_intake.service()
    monkeypatch.setattr(service.desk, "mail", replace(service.desk.mail, max_attachment_bytes=10))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "zs@example.org", INTAKE, "证据"
    message.set_content(form_lines())
    message.add_attachment(b"x" * 100, maintype="application", subtype="x-unknown", filename="big.bin")

    request = table.get(deliver(message.as_bytes()).reference)

    assert request.source["attachments"] == []
    assert request.source["attachments_skipped"][0]["filename"] == "big.bin"


def test_the_sender_stands_in_for_a_missing_email_field(deliver, table):
    body = "\n".join(line for line in form_lines().splitlines() if not line.startswith("电子邮箱"))

    request = table.get(deliver(text_mail(body, sender="li@example.org")).reference)

    assert request.status is Status.RECEIVED and request.fields["requester_email"] == "li@example.org"


def test_an_incomplete_mail_is_answered_in_both_languages_and_completed_by_a_reply(
    deliver, table, sent_mail, queued_references
):
    first = deliver(text_mail(form_lines(skip=("稿件链接", "联系电话"))))

    request = table.get(first.reference)
    assert request.status is Status.INCOMPLETE
    [notice] = sent_mail()
    text = plain_text(notice)
    assert request.reference in notice["Subject"] and notice["To"] == "zs@example.org"
    assert "稿件链接（Article URL）" in text and "Article URL (稿件链接)" in text
    assert "联系电话" in text and "Phone" in text
    assert "稿件标题：某地发生交通事故" in text  # what was understood, quoted back
    assert "/?lang=zh" in text and "/?lang=en" in text
    assert queued_references() == []

    reply = reply_mail(notice, "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n联系电话：13800000000\n")
    second = deliver(reply)

    no_failures(second)
    assert second.reference == request.reference  # the same request, completed
    completed = table.get(request.reference)
    assert completed.status is Status.RECEIVED
    assert completed.fields["requester_phone"] == "13800000000"
    assert queued_references() == [request.reference]
    _, history, _ = table.history(request.reference)
    assert [e.action for e in history] == [Action.SUBMIT, Action.MARK_INCOMPLETE, Action.COMPLETE]


def test_a_reply_still_missing_something_gets_one_more_notice(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接", "联系电话"))))
    [notice] = sent_mail()

    deliver(reply_mail(notice, "联系电话：13800000000\n"))

    request = table.get(first.reference)
    assert request.status is Status.INCOMPLETE and request.fields["requester_phone"] == "13800000000"
    assert len(sent_mail()) == 2 and "Article URL" in plain_text(sent_mail()[1])


def test_a_reply_matched_by_the_reference_in_the_subject_alone(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))
    reference = first.reference
    body = "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n"

    deliver(text_mail(body, subject=f"补充 {reference.lower()}"))

    assert table.get(reference).status is Status.RECEIVED


def test_an_automatic_reply_to_our_notice_changes_nothing_and_is_not_answered(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))
    [notice] = sent_mail()

    out_of_office = reply_mail(
        notice, "我正在休假。\n稿件链接：https://news.example.cn/x.html", headers={"Auto-Submitted": "auto-replied"}
    )
    no_failures(deliver(out_of_office))

    assert table.get(first.reference).status is Status.INCOMPLETE
    assert len(sent_mail()) == 1
    _, history, _ = table.history(first.reference)
    assert history[-1].action is Action.MAIL_RECEIVED and "Auto-Submitted" in history[-1].detail


def test_a_new_automatic_mail_is_quarantined_without_a_reply(deliver, table, sent_mail):
    mail = text_mail("Ich bin nicht im Büro.", headers={"Auto-Submitted": "auto-replied"}, subject="Abwesend")

    request = table.get(deliver(mail).reference)

    assert request.status is Status.QUARANTINED and "Auto-Submitted" in request.source["mail"]["quarantine_reason"]
    assert sent_mail() == []


@pytest.mark.parametrize(
    "headers",
    [{"Precedence": "bulk"}, {"List-Id": "<news.list.example.org>"}, {"Precedence": "junk"}],
)
def test_bulk_and_list_mail_gets_no_reply(headers, deliver, sent_mail):
    deliver(text_mail(form_lines(skip=("稿件链接",)), headers=headers))

    assert sent_mail() == []


def test_mail_from_our_own_sender_gets_no_reply(deliver, sent_mail):
    deliver(text_mail(form_lines(skip=("稿件链接",)), sender="noreply@news.example.cn"))

    assert sent_mail() == []


def test_spam_verdict_fail_is_quarantined_without_a_reply(deliver, table, sent_mail):
    delivery = deliver(gbk_form_mail(), verdicts={"spam": "FAIL"})

    assert table.get(delivery.reference).status is Status.QUARANTINED
    assert sent_mail() == []


def test_automatic_replies_are_capped_per_sender_per_day(deliver, sent_mail, monkeypatch):
    from handlers import outbox_delivery

    # The cap is the Notifier's since issue 9 (the outbox consumer's since issue 10): one counter per
    # address, shared by every channel.
    monkeypatch.setattr(outbox_delivery.notifier(), "daily_cap", 2)
    for _ in range(4):
        no_failures(
            deliver(text_mail(form_lines(skip=("稿件链接",), email="loop@example.org"), sender="loop@example.org"))
        )
    deliver(text_mail(form_lines(skip=("稿件链接",), email="other@example.org"), sender="other@example.org"))

    recipients = [m["To"] for m in sent_mail()]
    assert recipients.count("loop@example.org") == 2 and recipients.count("other@example.org") == 1


def test_a_redelivered_notification_never_creates_a_second_request(deliver, table, sent_mail, aws):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))

    no_failures_again = deliver.again(first.body)

    assert no_failures_again == {"batchItemFailures": []}
    assert len(sent_mail()) == 1
    requests = aws.clients("dynamodb").scan(
        TableName=aws.ref("RequestsTable"),
        FilterExpression="sk = :r",
        ExpressionAttributeValues={":r": {"S": "REQUEST"}},
    )["Items"]
    assert len(requests) == 1


def test_the_same_message_stored_twice_is_one_request(deliver):
    raw = gbk_form_mail()

    assert deliver(raw).reference == deliver(raw).reference


def test_a_bounce_of_our_mail_marks_the_requester_address_undeliverable(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",), email="gone@example.org"), sender="gone@example.org"))
    [notice] = sent_mail()
    bounce = (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: noreply@news.example.cn\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {notice['Message-ID']}\r\nSubject: whatever\r\n"
        "--b--\r\n"
    ).encode()

    no_failures(deliver(bounce))

    request = table.get(first.reference)
    assert "requester_email_undeliverable" in request.flags
    assert len(sent_mail()) == 1
    _, history, _ = table.history(first.reference)
    assert history[-1].action is Action.UNDELIVERABLE and "gone@example.org" in history[-1].detail


def test_a_reply_to_an_editors_question_goes_to_the_review_service(deliver, table, sent_mail):
    from corrigo.model import iso, utc_now

    first = deliver(gbk_form_mail())
    request = table.get(first.reference)
    for action, changes in ((Action.SCREEN_PASS, {}), (Action.CLAIM, {"assignee": "ed@news.example.cn"})):
        after, event = request.move(action, actor="test", at=utc_now(), **changes)
        table.save_move(request, after, event)
        request = after
    after, event = request.move(
        Action.ASK, actor="ed@news.example.cn", at=utc_now(), detail="请提供通报原件", paused_at=iso(utc_now())
    )
    table.save_move(request, after, event)

    asked = {"Message-ID": f"<{request.reference}.question.0123456789ab@news.example.cn>", "Subject": "question"}
    no_failures(deliver(reply_mail(asked, "通报原件见附件。")))

    assert table.get(request.reference).status is Status.IN_REVIEW
    assert any(m["To"] == "ed@news.example.cn" for m in sent_mail())  # the editor is told


def test_a_reply_to_a_queued_request_is_kept_in_its_history(deliver, table):
    first = deliver(gbk_form_mail())
    asked = {"Message-ID": f"<{first.reference}.acknowledgement.0123456789ab@news.example.cn>", "Subject": "ack"}

    deliver(reply_mail(asked, "补充：另有一处错误。"))

    request, history, _ = table.history(first.reference)
    assert request.status is Status.RECEIVED
    assert history[-1].action is Action.MAIL_RECEIVED and "另有一处错误" in history[-1].detail


def test_unreadable_mail_becomes_a_quarantined_request(deliver, table):
    request = table.get(deliver(b"\x00\x01\x02 not a mail at all").reference)

    assert request.status is Status.QUARANTINED
    assert request.source["mail"]["quarantine_reason"]


def test_a_failure_no_retry_cures_quarantines_instead_of_losing(deliver, table, monkeypatch):
    from services import mail_intake as service_module

    def broken(mail, *limits_and_budget):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(service_module, "extract_fields", broken)

    request = table.get(deliver(gbk_form_mail()).reference)

    assert request.status is Status.QUARANTINED and "extractor bug" in request.source["mail"]["quarantine_reason"]


def test_a_missing_raw_object_is_retried_then_dead_lettered(aws, deliver):
    body = sns_envelope(ses_received_notification(bucket=aws.ref("RawMailBucket"), key="inbound/none"))

    # The whole batch failed, so the invocation fails and SQS redelivers it (then the dead-letter queue).
    with pytest.raises(BatchFailed, match="RawMailMissing"):
        deliver.again(body)


def test_a_setup_notification_is_skipped(deliver):
    body = '{"Type": "Notification", "Message": "{\\"notificationType\\": \\"AmazonSnsSubscriptionSucceeded\\"}"}'

    assert deliver.again(body) == {"batchItemFailures": []}
