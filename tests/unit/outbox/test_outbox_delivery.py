"""services.outbox_delivery on in-memory fakes: each message once, retries with backoff, refusals kept."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.mailer import MailRejected
from corrigo import outbox
from corrigo.errors import ConcurrentChange, ServiceUnavailable
from corrigo.lifecycle import Action, Status
from corrigo.model import CorrectionRequest
from corrigo.outbox import UNDELIVERABLE_FLAG, Delivery, OutboxMessage
from services.outbox_delivery import OutboxDelivery, RecordRefusal

NOW = "2026-12-01T10:00:00.000Z"


def request(reference: str = "CR-2026-AAAAAA", **changes: Any) -> CorrectionRequest:
    base = CorrectionRequest(
        reference=reference,
        status=Status.IN_REVIEW,
        fields={"email": "reader@example.com"},
        language="zh",
        channel="web",
        created_at=NOW,
        updated_at=NOW,
        urgency=2,
        first_response_due=NOW,
        decision_due=NOW,
        status_token="t",
    )
    return replace(base, **changes)


@dataclass
class FakeOutbox:
    items: dict[str, tuple[OutboxMessage, str]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)

    def add(self, message: OutboxMessage) -> OutboxMessage:
        self.items[message.id] = (message, Delivery.PENDING.value)
        return message

    def get(self, message_id: str) -> tuple[OutboxMessage, str] | None:
        return self.items.get(message_id)

    def mark(self, message_id: str, delivery: Delivery, at: str, detail: str = "") -> bool:
        message, state = self.items[message_id]
        if state != Delivery.PENDING.value:
            return False
        self.items[message_id] = (message, delivery.value)
        self.details[message_id] = detail
        return True

    def note_attempt(self, message_id: str, error: str, at: str) -> int:
        self.attempts[message_id] = self.attempts.get(message_id, 0) + 1
        return self.attempts[message_id]

    def stale(self, quiet_since: str, limit: int = 100) -> list[str]:
        pending = [m for m, state in self.items.values() if state == Delivery.PENDING.value]
        return [m.id for m in pending if m.created_at < quiet_since][:limit]


@dataclass
class FakeRetries:
    scheduled: list[tuple[str, int]] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    def schedule(self, message_id: str, delay_seconds: int) -> None:
        self.scheduled.append((message_id, delay_seconds))

    def dead_letter(self, message_id: str, reason: str) -> None:
        self.dead.append(message_id)


@dataclass
class FakeRequests:
    stored: dict[str, CorrectionRequest] = field(default_factory=dict)
    moves: list[tuple[CorrectionRequest, Any]] = field(default_factory=list)
    conflicts: int = 0

    def get(self, reference: str) -> CorrectionRequest | None:
        return self.stored.get(reference)

    def save_move(self, before: CorrectionRequest, after: CorrectionRequest, event: Any) -> None:
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentChange("moved meanwhile")
        assert self.stored[before.reference].version == before.version
        self.stored[after.reference] = after
        self.moves.append((after, event))


@dataclass
class FakeMail:
    failures: list[Exception] = field(default_factory=list)
    sent: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    def notify(self, request: CorrectionRequest, kind: str, occasion: str = "", **extra: Any) -> bool:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((request.reference, kind, occasion, extra))
        return True


@dataclass
class FakeEvents:
    published: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> str:
        self.published.append((detail_type, detail))
        return f"event-{len(self.published)}"


class World:
    def __init__(self) -> None:
        self.outbox = FakeOutbox()
        self.retries = FakeRetries()
        self.requests = FakeRequests({"CR-2026-AAAAAA": request()})
        self.mail = FakeMail()
        self.events = FakeEvents()
        self.refused: list[tuple[str, str, str]] = []
        self.delivery = OutboxDelivery(
            self.outbox,
            self.retries,
            self.requests,
            self.mail,
            self.events,
            lambda *args: self.refused.append(args),
            lambda: NOW,
        )


@pytest.fixture
def world() -> World:
    return World()


def question(message_id: str = "m-1") -> OutboxMessage:
    return outbox.email(message_id, "CR-2026-AAAAAA", "question", NOW, "q1", message="哪一段？")


def test_a_new_message_is_sent_once_and_marked(world: Any) -> None:
    message = world.outbox.add(question())

    first = world.delivery.from_stream(message, Delivery.PENDING.value)
    again = world.delivery.from_retry(message.id)  # e.g. a retry message that was already in flight

    assert (first.outcome, again.outcome) == ("sent", "skipped")
    assert world.mail.sent == [("CR-2026-AAAAAA", "question", "q1", {"message": "哪一段？"})]
    assert world.outbox.get(message.id)[1] == Delivery.SENT.value


def test_a_stream_record_of_a_delivered_message_does_nothing(world: Any) -> None:
    message = world.outbox.add(question())
    assert world.delivery.from_stream(message, Delivery.SENT.value).outcome == "skipped"
    assert world.mail.sent == []


def test_an_outage_is_retried_with_backoff_then_delivered_once(world: Any) -> None:
    message = world.outbox.add(question())
    world.mail.failures = [ServiceUnavailable("SES unavailable"), ServiceUnavailable("SES unavailable")]

    outcomes = [world.delivery.from_stream(message, Delivery.PENDING.value).outcome]
    outcomes += [world.delivery.from_retry(message.id).outcome for _ in range(3)]

    assert outcomes == ["retry", "retry", "sent", "skipped"]
    assert world.retries.scheduled == [("m-1", 5), ("m-1", 10)]
    assert len(world.mail.sent) == 1


def test_after_the_last_attempt_the_message_goes_to_the_dead_letter_queue(world: Any) -> None:
    message = world.outbox.add(question())
    world.outbox.attempts[message.id] = outbox.MAX_ATTEMPTS - 1
    world.mail.failures = [ServiceUnavailable("SES unavailable")]

    assert world.delivery.from_retry(message.id).outcome == "dead_letter"
    assert world.retries.dead == ["m-1"]
    assert world.outbox.get(message.id)[1] == Delivery.PENDING.value  # a redrive may still deliver it


def test_a_refused_requester_address_is_recorded_never_retried(world: Any) -> None:
    message = world.outbox.add(question())
    world.mail.failures = [MailRejected("Address blacklisted")]

    attempt = world.delivery.from_stream(message, Delivery.PENDING.value)

    assert attempt.outcome == "refused"
    assert world.outbox.get(message.id)[1] == Delivery.REFUSED.value
    assert world.refused == [("CR-2026-AAAAAA", "", "Address blacklisted")]
    assert world.retries.scheduled == []


def test_a_refused_mail_to_an_editor_does_not_flag_the_request(world: Any) -> None:
    message = world.outbox.add(
        outbox.email("m-9", "CR-2026-AAAAAA", "escalation", NOW, "d1", to="desk@news.example.cn")
    )
    world.mail.failures = [MailRejected("unverified")]

    assert world.delivery.from_stream(message, Delivery.PENDING.value).outcome == "refused"
    assert world.refused == []


def test_an_event_is_published_with_its_detail(world: Any) -> None:
    message = world.outbox.add(
        outbox.event("m-5", "CR-2026-AAAAAA", "CorrectionResolved", NOW, {"outcome": "corrected"})
    )

    assert world.delivery.from_stream(message, Delivery.PENDING.value).outcome == "sent"
    assert world.events.published == [("CorrectionResolved", {"outcome": "corrected"})]


def test_mail_about_an_erased_request_is_dropped_not_retried(world: Any) -> None:
    message = world.outbox.add(outbox.email("m-6", "CR-2026-GONE00", "outcome", NOW))

    attempt = world.delivery.from_stream(message, Delivery.PENDING.value)

    assert attempt.outcome == "sent"
    assert "gone" in world.outbox.details["m-6"]
    assert world.mail.sent == []


def test_record_refusal_flags_the_request_once_with_an_audit_event_and_survives_a_race() -> None:
    requests = FakeRequests({"CR-2026-AAAAAA": request(version=3)}, conflicts=1)
    record = RecordRefusal(requests, lambda: datetime(2026, 12, 1, 10, tzinfo=UTC))

    record("CR-2026-AAAAAA", "reader@example.com", "Address blacklisted")
    record("CR-2026-AAAAAA", "reader@example.com", "Address blacklisted")

    after = requests.stored["CR-2026-AAAAAA"]
    assert after.flags.count(UNDELIVERABLE_FLAG) == 1
    assert after.status is Status.IN_REVIEW  # never fails or moves the request
    assert after.version == 5
    event = requests.moves[0][1]
    assert (event.action, event.status_before, event.status_after) == (
        Action.UNDELIVERABLE,
        Status.IN_REVIEW,
        Status.IN_REVIEW,
    )
    assert "reader@example.com" in event.detail


def test_the_sweep_gives_forgotten_pending_messages_another_attempt(world: World) -> None:
    old = world.outbox.add(question("m-old"))
    world.outbox.add(replace(question("m-new"), created_at="2026-12-01T10:30:00.000Z"))
    delivered = world.outbox.add(question("m-done"))
    world.delivery.from_stream(delivered, Delivery.PENDING.value)

    requeued = world.delivery.requeue_stale("2026-12-01T10:20:00.000Z")

    assert requeued == [old.id]
    assert world.retries.scheduled == [("m-old", 0)]
