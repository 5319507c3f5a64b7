"""The pure decisions of email intake: kinds of mail, loop rules, the cap, reply matching, attachments."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from corrigo.lifecycle import Status
from corrigo.mail import parse_mail
from corrigo.mail.decisions import (
    Kind,
    ReplyPlan,
    auto_reply_blockers,
    bilingual_problems,
    classify,
    counter_window,
    guess_language,
    merge_fields,
    plan_attachments,
    reference_of_message_id,
    replied_reference,
    reply_plan,
    safe_filename,
    with_sender,
    within_cap,
)
from corrigo.mail.notification import NotAMailNotification, Verdicts, idempotency_keys, notification_from_body
from corrigo.mail.parsed import Attachment

OURS = ("news.example.cn",)
OWN = ("noreply@news.example.cn", "lxwm@news.example.cn")


def mail(*headers: str, body: str = "hello", sender: str = "zs@example.org") -> object:
    head = "\r\n".join((f"From: {sender}", "To: lxwm@news.example.cn", *headers))
    return parse_mail(f"{head}\r\n\r\n{body}".encode())


# ---- the notification ---------------------------------------------------------------------------


def s3_notification(**receipt: object) -> dict:
    return {
        "notificationType": "Received",
        "mail": {"messageId": "abc", "source": "a@b.c", "destination": ["lxwm@news.example.cn"]},
        "receipt": {
            "recipients": ["lxwm@news.example.cn"],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "FAIL"},
            "action": {"type": "S3", "bucketName": "raw", "objectKey": "inbound/abc", "topicArn": "t"},
            **receipt,
        },
    }


def test_the_notification_is_read_from_sns_envelope_or_raw_delivery():
    document = s3_notification()
    wrapped = json.dumps({"Type": "Notification", "Message": json.dumps(document)})

    for body in (wrapped, json.dumps(document)):
        found = notification_from_body(body)
        assert (found.bucket, found.key, found.ses_message_id) == ("raw", "inbound/abc", "abc")
        assert found.verdicts.failed() == ("virus",) and found.verdicts.spf == "GRAY"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"notificationType": "AmazonSnsSubscriptionSucceeded"}),
        json.dumps({**s3_notification(), "receipt": {"action": {"type": "Lambda"}}}),
    ],
)
def test_anything_but_a_stored_mail_is_not_a_mail_notification(body):
    with pytest.raises(NotAMailNotification):
        notification_from_body(body)


def test_idempotency_keys_are_the_object_and_the_senders_message_id():
    found = notification_from_body(json.dumps(s3_notification()))

    assert idempotency_keys(found, None) == ["object:raw/inbound/abc"]
    assert (
        idempotency_keys(found, mail("Message-ID: <m1@example.org>"))[1] == "message-id:zs@example.org:m1@example.org"
    )


# ---- loop protection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender", "expected"),
    [
        (("Auto-Submitted: auto-replied",), "a@example.org", "Auto-Submitted: auto-replied"),
        (("Precedence: bulk",), "a@example.org", "Precedence: bulk"),
        (("Precedence: junk",), "a@example.org", "Precedence: junk"),
        (("Precedence: list",), "a@example.org", "Precedence: list"),
        (("List-Id: <x.example.org>",), "a@example.org", "List-Id"),
        ((), "MAILER-DAEMON@example.org", "delivery report"),
        ((), "postmaster@example.org", "delivery report"),
        ((), "noreply@news.example.cn", "our own address"),
        (("X-Autoreply: yes",), "a@example.org", "X-Autoreply"),
    ],
)
def test_no_automatic_reply_to_robots(headers, sender, expected):
    assert expected in auto_reply_blockers(mail(*headers, sender=sender), own_addresses=OWN)


def test_a_person_may_be_answered_and_auto_submitted_no_is_a_person():
    assert auto_reply_blockers(mail("Auto-Submitted: no"), own_addresses=OWN) == ()


def test_a_multipart_report_is_never_answered():
    report = mail('Content-Type: multipart/report; report-type=delivery-status; boundary="b"', body="--b--")

    assert "delivery report" in auto_reply_blockers(report, own_addresses=OWN)


def test_spam_or_virus_verdicts_block_the_reply():
    assert auto_reply_blockers(mail(), own_addresses=OWN, verdicts=Verdicts(spam="FAIL")) == ("SES spam verdict FAIL",)
    assert auto_reply_blockers(mail(), own_addresses=OWN, verdicts=Verdicts(dkim="FAIL")) == ()


def test_the_cap_counts_per_utc_day_and_the_counter_outlives_it():
    window = counter_window(datetime(2026, 3, 5, 23, 59, tzinfo=UTC))

    assert window.day == "2026-03-05"
    assert window.expires_at == int(datetime(2026, 3, 7, tzinfo=UTC).timestamp())
    assert within_cap(5, 5) and not within_cap(6, 5)


# ---- which request a mail is about --------------------------------------------------------------


def test_our_message_ids_carry_the_reference_but_only_on_our_domain():
    assert reference_of_message_id("CR-2026-ABCDEF.incomplete.0123456789ab@news.example.cn", OURS) == "CR-2026-ABCDEF"
    assert reference_of_message_id("CR-2026-ABCDEF.incomplete.0123456789ab@evil.example", OURS) is None
    assert reference_of_message_id("random@news.example.cn", OURS) is None


def test_a_reply_is_matched_by_in_reply_to_even_with_an_edited_subject():
    reply = mail("Subject: 补充材料", "In-Reply-To: <CR-2026-ABCDEF.incomplete.0123456789ab@news.example.cn>")

    assert replied_reference(reply, OURS) == "CR-2026-ABCDEF"


def test_a_reply_is_matched_by_references_or_the_subject():
    by_references = mail("References: <x@y> <CR-2026-ABCDEF.question.0123456789ab@news.example.cn>")
    by_subject = mail("Subject: Re: [cr-2026-abcdef] incomplete")

    assert replied_reference(by_references, OURS) == "CR-2026-ABCDEF"
    assert replied_reference(by_subject, OURS) == "CR-2026-ABCDEF"
    assert replied_reference(mail("Subject: hello"), OURS) is None


def test_classify_bounces_replies_new_and_unreadable():
    returned = "Message-ID: <CR-2026-ABCDEF.acknowledgement.0123456789ab@news.example.cn>"
    bounce = mail(
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        sender="MAILER-DAEMON@mx.example.org",
        body=f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned}\r\n--b--\r\n",
    )
    stray = mail(sender="MAILER-DAEMON@mx.example.org", body="Delivery failed for something else")

    assert classify(bounce, OURS).kind is Kind.BOUNCE and classify(bounce, OURS).reference == "CR-2026-ABCDEF"
    assert classify(stray, OURS).kind is Kind.STRAY_BOUNCE
    assert classify(mail("Subject: Re: CR-2026-ABCDEF"), OURS).kind is Kind.REPLY
    assert classify(mail("Subject: 更正"), OURS).kind is Kind.NEW
    assert classify(parse_mail(b"\x00\x01 not a mail"), OURS).kind is Kind.UNREADABLE


@pytest.mark.parametrize(
    ("status", "from_requester", "automatic", "plan"),
    [
        (Status.INCOMPLETE, True, False, ReplyPlan.COMPLETE),
        (Status.INCOMPLETE, True, True, ReplyPlan.RECORD),
        (Status.AWAITING_REQUESTER, True, False, ReplyPlan.ANSWER),
        (Status.AWAITING_REQUESTER, False, False, ReplyPlan.RECORD),
        (Status.QUEUED, True, False, ReplyPlan.RECORD),
        (Status.RESOLVED, True, False, ReplyPlan.RECORD),
    ],
)
def test_what_a_reply_does_depends_on_the_status_and_who_wrote_it(status, from_requester, automatic, plan):
    assert reply_plan(status, from_requester=from_requester, automatic=automatic) is plan


# ---- fields -------------------------------------------------------------------------------------


def test_a_reply_completes_without_erasing():
    merged = merge_fields({"article_title": "旧", "requester_name": "张三"}, {"article_title": "新", "reason": " "})

    assert merged == {"article_title": "新", "requester_name": "张三"}


def test_the_sender_stands_in_only_for_a_missing_email():
    assert with_sender({}, "a@b.cn") == {"requester_email": "a@b.cn"}
    assert with_sender({"requester_email": "x@y.cn"}, "a@b.cn") == {"requester_email": "x@y.cn"}


def test_language_follows_the_mail():
    assert guess_language("Correction", "请更正") == "zh"
    assert guess_language("Correction", "Please fix") == "en"


def test_problems_name_each_field_in_both_languages():
    problems = {p.field: p for p in bilingual_problems({"article_url": "https://elsewhere.example/x"}, OURS)}

    assert problems["article_url"].label_zh == "稿件链接" and problems["article_url"].label_en == "Article URL"
    assert "news.example.cn" in problems["article_url"].problem_zh and "our site" in problems["article_url"].problem_en
    assert problems["requester_phone"].problem_en == "is required"


# ---- attachments --------------------------------------------------------------------------------


def test_attachments_within_the_limits_are_kept_whatever_their_type():
    files = [
        Attachment("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"1"),
        Attachment("huge.bin", "application/octet-stream", b"x" * 50),
        Attachment("evil.exe", "application/x-msdownload", b"2"),
        Attachment("c.pdf", "application/pdf", b"3"),
    ]

    plan = plan_attachments(files, max_count=2, max_bytes=10)

    assert [k.filename for k in plan.kept] == ["a.docx", "evil.exe"]
    assert [(s["filename"], s["reason"]) for s in plan.skipped] == [
        ("huge.bin", "larger than 10 bytes"),
        ("c.pdf", "more than 2 attachments"),
    ]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "00-passwd"),
        ("申请表 (1).docx", "00-申请表_1_.docx"),
        ("", "00-attachment"),
        ("a\r\nb", "00-a_b"),
    ],
)
def test_attachment_names_cannot_leave_their_prefix(name, safe):
    assert safe_filename(name, 0) == safe
