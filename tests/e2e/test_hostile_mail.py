"""Hostile mail on the real local stack (issue 9, "Done when"): a .docx bomb, a 200 KB pathological
line and an ordinary form, sent one after the other to the SMTP port. The ordinary form is
acknowledged within a minute, and the stack stays up.

Before the limits, the bomb alone kept the mail function busy for minutes (python-docx on a million
empty paragraphs) and the long line as long again (backtracking regular expressions), while the
form waited behind them in the same batch.
"""

from __future__ import annotations

import smtplib
import time
import urllib.request
import uuid

import pytest

from tests.support.hostile_mail import mail_with, million_empty_paragraphs, pathological_line_mail
from tests.support.mail_forms import INTAKE, gbk_form_mail

pytestmark = pytest.mark.e2e
ACKNOWLEDGED_WITHIN_SECONDS = 60


def sender() -> str:
    return f"h{uuid.uuid4().hex[:10]}@example.org"


def send(stack, raw: bytes, mail_from: str) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        smtp.sendmail(mail_from, [INTAKE], raw)


def test_hostile_mail_does_not_hold_up_an_ordinary_form(stack):
    bomber, liner, person = sender(), sender(), sender()

    send(stack, mail_with(million_empty_paragraphs(), sender=bomber), bomber)
    send(stack, pathological_line_mail(sender=liner), liner)
    sent_at = time.monotonic()
    send(stack, gbk_form_mail(person, email=person), person)

    ack = stack.wait_for_mail(
        lambda m: person in m.get("to", []) and "已收到" in m["subject"], timeout=ACKNOWLEDGED_WITHIN_SECONDS
    )
    waited = time.monotonic() - sent_at
    assert waited < ACKNOWLEDGED_WITHIN_SECONDS, waited
    assert "某地发生交通事故" in ack["text"]

    assert stack.process.poll() is None, "the local stack stopped"
    with urllib.request.urlopen(stack.base_url + "/", timeout=10) as page:
        assert page.status == 200
    # Both hostile mails were read (within the limits) into requests, not left in flight or dead
    # letters: each sender hears back, as any sender of an incomplete request does.
    for address in (bomber, liner):
        stack.wait_for_mail(lambda m, a=address: a in m.get("to", []), timeout=ACKNOWLEDGED_WITHIN_SECONDS)
