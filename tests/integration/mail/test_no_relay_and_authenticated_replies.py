"""Issue 9: the paper never relays a stranger's text, and a reply changes a request only when SES
says its sender is authentic (DMARC pass, or SPF/DKIM pass aligned with the From domain).

The deliveries default to SES's sample verdicts (all PASS): an authenticated sender. FAILED marks
a forged From, as SES reports it for a domain with a DMARC policy.
"""

from __future__ import annotations

import json
import re

from corrigo.lifecycle import Action, Status
from corrigo.schema import schema_dir
from tests.support.events import http_event, sqs_event
from tests.support.mail_forms import form_lines, gbk_form_mail, reply_mail, text_mail

FAILED = {"spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}
CONFIRM_LINK = re.compile(r"/requests/CR-[0-9A-Z-]+/confirm\?token=")
WRITTEN = ("某地发生交通事故", "事故造成三人受伤", "交警通报", "张三")


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def carries_nothing_written(message) -> bool:
    text = plain(message) + str(message["Subject"])
    return not any(written in text for written in WRITTEN)


def drain_intake_queue(aws) -> None:
    """What the intake worker does with the requests mail intake queued (acknowledges them)."""
    from handlers import intake_worker

    sqs = aws.clients("sqs")
    while messages := sqs.receive_message(QueueUrl=aws.ref("IntakeQueue"), MaxNumberOfMessages=10).get("Messages"):
        intake_worker.handler(sqs_event([m["Body"] for m in messages]), aws.context("IntakeWorkerFunction"))
        for message in messages:
            sqs.delete_message(QueueUrl=aws.ref("IntakeQueue"), ReceiptHandle=message["ReceiptHandle"])


# ---- 3. no relay ---------------------------------------------------------------------------------


def test_an_unauthenticated_incomplete_mail_gets_the_confirmation_notice_only(deliver, table, sent_mail):
    delivery = deliver(text_mail(form_lines(skip=("稿件链接",))), verdicts=FAILED)

    request = table.get(delivery.reference)
    assert request.status is Status.INCOMPLETE  # kept as before: only what is mailed changes
    [notice] = sent_mail()
    assert notice["To"] == "zs@example.org" and request.reference in notice["Subject"]
    assert CONFIRM_LINK.search(plain(notice))
    assert carries_nothing_written(notice)


def test_an_unauthenticated_complete_mail_is_queued_and_its_sender_only_asked_to_confirm(
    aws, deliver, table, sent_mail
):
    delivery = deliver(gbk_form_mail(), verdicts={"dmarc": "FAIL"})
    drain_intake_queue(aws)

    # Stored and screened as before (screening holds a From failing DMARC for a person to check).
    assert table.get(delivery.reference).status in (Status.QUEUED, Status.QUARANTINED)
    [notice] = sent_mail()
    assert CONFIRM_LINK.search(plain(notice)) and carries_nothing_written(notice)


def test_a_body_address_other_than_the_authenticated_sender_is_kept_and_confirmed_first(aws, deliver, table, sent_mail):
    body = form_lines(email="victim@example.net")
    delivery = deliver(text_mail(body, sender="zs@example.org"))
    drain_intake_queue(aws)

    request = table.get(delivery.reference)
    assert request.status is Status.QUEUED and request.fields["requester_email"] == "victim@example.net"
    to_victim = [m for m in sent_mail() if m["To"] == "victim@example.net"]
    to_sender = [m for m in sent_mail() if m["To"] == "zs@example.org"]
    assert len(to_victim) == 1 and CONFIRM_LINK.search(plain(to_victim[0]))
    assert carries_nothing_written(to_victim[0])
    assert len(to_sender) == 1 and "某地发生交通事故" in plain(to_sender[0])  # the authenticated sender's own text


def test_automatic_mail_to_one_address_is_capped_across_mail_and_form(aws, deliver, table, sent_mail, monkeypatch):
    from handlers import api, outbox_delivery

    # Every channel's automatic mail goes through the outbox consumer's Notifier, and its one counter.
    monkeypatch.setattr(outbox_delivery.notifier(), "daily_cap", 2)
    first = deliver(text_mail(form_lines(skip=("稿件链接",), email="loop@example.org"), sender="loop@example.org"))
    second = deliver(text_mail(form_lines(skip=("联系电话",), email="loop@example.org"), sender="loop@example.org"))
    document = json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))
    document["requester_email"] = "loop@example.org"
    response = api.handler(
        http_event("POST", "/requests", body=json.dumps(document), headers={"content-type": "application/json"}),
        aws.context("ApiFunction"),
    )
    drain_intake_queue(aws)

    assert response["statusCode"] == 202  # the request is taken; only its mail is refused
    assert [m["To"] for m in sent_mail()] == ["loop@example.org"] * 2
    assert table.get(first.reference).status is table.get(second.reference).status is Status.INCOMPLETE


# ---- 4. authenticated replies ------------------------------------------------------------------------


def test_an_unauthenticated_reply_does_not_complete_a_request(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))
    [notice] = sent_mail()

    forged = reply_mail(notice, "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n")
    delivery = deliver(forged, verdicts=FAILED)

    assert delivery.answer == {"batchItemFailures": []}
    request = table.get(first.reference)
    assert request.status is Status.INCOMPLETE and "article_url" not in request.fields
    _, history, _ = table.history(first.reference)
    assert history[-1].action is Action.MAIL_RECEIVED and "unverified" in history[-1].detail
    assert len(sent_mail()) == 1  # its sender gets no mail


def test_an_unauthenticated_answer_to_an_editors_question_changes_nothing(deliver, table, sent_mail):
    from corrigo.model import iso, utc_now

    request = table.get(deliver(gbk_form_mail()).reference)
    for action, changes in ((Action.SCREEN_PASS, {}), (Action.CLAIM, {"assignee": "ed@news.example.cn"})):
        after, event = request.move(action, actor="test", at=utc_now(), **changes)
        table.save_move(request, after, event)
        request = after
    after, event = request.move(
        Action.ASK, actor="ed@news.example.cn", at=utc_now(), detail="?", paused_at=iso(utc_now())
    )
    table.save_move(request, after, event)
    before = len(sent_mail())

    asked = {"Message-ID": f"<{request.reference}.question.0123456789ab@news.example.cn>", "Subject": "question"}
    deliver(reply_mail(asked, "通报原件见附件。"), verdicts={"dmarc": "FAIL"})

    assert table.get(request.reference).status is Status.AWAITING_REQUESTER
    _, history, _ = table.history(request.reference)
    assert history[-1].action is Action.MAIL_RECEIVED and "unverified" in history[-1].detail
    assert len(sent_mail()) == before


def test_a_reply_never_changes_the_requester_email(deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))
    [notice] = sent_mail()

    body = "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n电子邮箱：thief@example.net\n"
    deliver(reply_mail(notice, body))

    request = table.get(first.reference)
    assert request.status is Status.RECEIVED  # completed by its authenticated sender
    assert request.fields["requester_email"] == "zs@example.org"


def test_an_authenticated_reply_from_the_address_confirms_it(aws, deliver, table, sent_mail):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))), verdicts=FAILED)
    [notice] = sent_mail()  # the confirmation notice: the first From was not authenticated

    deliver(reply_mail(notice, "稿件链接：https://news.example.cn/2025/03/05/traffic.html\n"))
    drain_intake_queue(aws)

    request = table.get(first.reference)
    assert request.source["contact"]["confirmed"] == "zs@example.org"
    acknowledgement = sent_mail()[-1]
    assert acknowledgement["To"] == "zs@example.org" and "某地发生交通事故" in plain(acknowledgement)
