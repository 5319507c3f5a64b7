"""One definition each (issue 10): robot mail, spam, bots and who is acknowledged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corrigo import spam
from corrigo.lifecycle import Status
from corrigo.mail.decisions import auto_reply_blockers, is_bounce
from corrigo.mail.parsed import ParsedMail
from tests.unit.review.test_review_core import request

SPAM_REPORT = {"verdict": "spam", "score": 10, "findings": []}
SUSPECT_REPORT = {"verdict": "suspect", "score": 3, "findings": []}


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.org"])
def test_a_bounce_sender_is_robot_mail_for_every_rule_that_asks(sender):
    mail = ParsedMail(from_address=sender)  # no delivery-status part: the sender alone says it
    assert mail.is_delivery_report and is_bounce(mail) and mail.is_auto_generated
    assert "delivery report" in auto_reply_blockers(mail, own_addresses=())


def test_a_person_is_not_robot_mail():
    mail = ParsedMail(from_address="zhang@example.com")
    assert not mail.is_delivery_report and not is_bounce(mail) and not mail.is_auto_generated


def test_spam_is_hidden_until_released_while_the_verdict_stays():
    held = request(Status.QUARANTINED, flags=(spam.SPAM_FLAG,), screening=SPAM_REPORT)
    assert spam.is_spam(held) and spam.judged_spam(held) and spam.is_bot(held)
    released = replace(held, status=Status.QUEUED, flags=())
    assert not spam.is_spam(released)  # the editors' views show it again
    assert spam.judged_spam(released) and spam.is_bot(released)  # the record of screening stays


@pytest.mark.parametrize(
    ("changes", "acknowledged"),
    [
        ({"status": Status.QUEUED}, True),
        ({"status": Status.QUARANTINED, "screening": SUSPECT_REPORT}, True),
        ({"status": Status.QUARANTINED, "screening": None}, False),  # held before screening wrote a report
        ({"status": Status.QUEUED, "flags": (spam.HONEYPOT_FLAG,)}, False),
        ({"status": Status.QUARANTINED, "screening": SPAM_REPORT}, False),
        ({"status": Status.RESOLVED, "merged_into": "CR-2025-ZZZZZZ"}, True),  # linked by screening
        ({"status": Status.RESOLVED}, False),
    ],
)
def test_who_is_acknowledged(changes, acknowledged):
    assert spam.acknowledged(request(**changes)) is acknowledged
