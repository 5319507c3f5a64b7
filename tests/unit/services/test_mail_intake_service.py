"""Email intake on fakes: the incomplete notice is written with the request it answers."""

from __future__ import annotations

import pytest

from corrigo.lifecycle import Action, Status
from corrigo.mail.config import mail_settings_from
from corrigo.mail.notification import Notification, Verdicts
from corrigo.mail_origin import MailOrigin
from services.intake import IntakeService
from services.mail_intake import MailIntakeService
from tests.support.fakes import FakeQueue, FakeRawMail
from tests.support.mail_forms import form_lines, text_mail

AUTHENTICATED = Verdicts(spam="PASS", virus="PASS", spf="PASS", dkim="PASS", dmarc="PASS")


@pytest.fixture
def raw_mail() -> FakeRawMail:
    return FakeRawMail()


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def service(settings, store, raw_mail, queue, ids, clock):
    intake = IntakeService(settings, store, queue, clock)
    mail = mail_settings_from({"RAW_MAIL_BUCKET": raw_mail.bucket})
    return MailIntakeService(settings, mail, store, store.markers, raw_mail, intake, ids, clock)


@pytest.fixture
def deliver(service, raw_mail):
    count = iter(range(1, 1000))

    def deliver(raw: bytes, key: str | None = None):
        key = key or f"inbound/mail-{next(count)}"
        raw_mail.objects[key] = raw
        return service.handle(Notification(raw_mail.bucket, key, f"ses-{key}", verdicts=AUTHENTICATED))

    return deliver


def test_a_complete_mail_is_received_and_queued_with_nothing_promised(deliver, store, queue):
    handled = deliver(text_mail(form_lines()))

    assert (handled.outcome, handled.status) == ("created", "received")
    assert queue.sent == [{"reference": handled.reference}]
    assert store.outbox == []
    origin = MailOrigin.from_source(store.get(handled.reference).source)
    assert origin is not None and origin.from_address == "zs@example.org" and origin.authenticated


def test_an_incomplete_mail_promises_its_notice_in_the_write_that_creates_the_request(deliver, store, queue):
    handled = deliver(text_mail(form_lines(skip=("稿件链接",))), key="inbound/first")

    [call] = store.calls
    assert (call.name, [m.kind for m in call.outbox]) == ("create", ["incomplete"])
    assert call.outbox[0].occasion == "object:raw-mail/inbound/first"
    request = store.get(handled.reference)
    assert request.status is Status.INCOMPLETE
    assert request.source["mail"]["auto_reply"] is True
    assert queue.sent == []


def test_a_redelivered_mail_writes_and_promises_nothing_more(deliver, store):
    raw = text_mail(form_lines(skip=("稿件链接",)))
    first = deliver(raw, key="inbound/same")

    again = deliver(raw, key="inbound/same")

    assert (again.outcome, again.reference) == ("repeated", first.reference)
    assert len(store.calls) == 1


def test_a_reply_still_incomplete_promises_one_more_notice_with_its_record(deliver, store, clock):
    first = deliver(text_mail(form_lines(skip=("稿件链接", "联系电话"))))
    before = store.get(first.reference)
    clock.advance(minutes=5)

    deliver(text_mail("联系电话：13800000000\n", subject=f"补充 {first.reference}"))

    call = store.calls[-1]
    assert (call.name, [m.kind for m in call.outbox]) == ("save_move", ["incomplete"])
    after = store.get(first.reference)
    assert after.status is Status.INCOMPLETE and after.fields["requester_phone"] == "13800000000"
    assert after.version == before.version + 1
    event = store.history(first.reference).events[-1]
    assert (event.action, event.status_before, event.status_after) == (
        Action.MAIL_RECEIVED,
        Status.INCOMPLETE,
        Status.INCOMPLETE,
    )


def test_a_reply_that_completes_the_request_queues_it_and_promises_nothing(deliver, store, queue):
    first = deliver(text_mail(form_lines(skip=("稿件链接",))))

    deliver(text_mail("稿件链接：https://news.example.cn/2025/03/05/traffic.html\n", subject=f"补充 {first.reference}"))

    assert store.get(first.reference).status is Status.RECEIVED
    assert store.calls[-1].outbox == ()
    assert queue.sent == [{"reference": first.reference}]


def test_automatic_mail_is_quarantined_with_its_reason_and_never_answered(deliver, store):
    raw = text_mail(form_lines(skip=("稿件链接",)), headers={"Auto-Submitted": "auto-generated"})

    handled = deliver(raw)

    assert handled.outcome == "quarantined"
    assert store.outbox == []
    origin = MailOrigin.from_source(store.get(handled.reference).source)
    assert origin is not None and "Auto-Submitted" in str(origin.quarantine_reason)
