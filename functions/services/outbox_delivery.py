"""Deliver what the outbox holds: each email and event once, whatever SES or EventBridge is doing.

A message reaches here first from the OutboxTable's stream (INSERT), then, while delivery keeps
failing for a reason that may pass (throttling, an outage), from the retry queue, after the delay
``corrigo.outbox.retry_delay`` gives; after ``MAX_ATTEMPTS`` it goes to the dead-letter queue, whose
alarm calls the operators (docs/operations.md, "The outbox"). A permanent refusal (SES rejects the
address) is recorded on the message and, for the requester's address, on the request, where editors
see it; the request itself is never failed by it.

Once per message: the delivery state on the message (``pending`` until delivered) turns a repeated
stream record, a redelivered retry or a redrive into nothing; mail is also sent through the Notifier,
whose idempotency record per (request, kind, occasion, recipient) closes the gap between SES
accepting a mail and the message being marked. That gap must not hold the invocation's Timeout: the
mailer refuses to start a mail too near it (OutOfTime, which is left to the batch as a failed record,
not counted as an attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from adapters.mailer import MailRejected
from corrigo.contact import EDITOR_KINDS
from corrigo.errors import ConcurrentChange, ServiceUnavailable
from corrigo.model import CorrectionRequest
from corrigo.outbox import Channel, Delivery, OutboxMessage, gives_up, retry_delay
from corrigo.undeliverable import mark_undeliverable
from observability import logger


class Outbox(Protocol):
    def get(self, message_id: str) -> tuple[OutboxMessage, str] | None: ...
    def mark(self, message_id: str, delivery: Delivery, at: str, detail: str = "") -> bool: ...
    def note_attempt(self, message_id: str, error: str, at: str) -> int: ...
    def stale(self, quiet_since: str, limit: int = 100) -> list[str]: ...


class Retries(Protocol):
    def schedule(self, message_id: str, delay_seconds: int) -> None: ...
    def dead_letter(self, message_id: str, reason: str) -> None: ...


class Requests(Protocol):
    def get(self, reference: str) -> CorrectionRequest | None: ...


class Mail(Protocol):
    def notify(self, request: CorrectionRequest, kind: str, occasion: str = "", **extra: Any) -> bool: ...


class CommentMail(Protocol):
    def deliver(self, message: OutboxMessage) -> str: ...


class Events(Protocol):
    def publish(self, detail_type: str, detail: dict[str, Any]) -> str: ...


# (reference, the refused address, SES's words): records the refusal on the request for editors.
MarkUndeliverable = Callable[[str, str, str], None]


@dataclass(frozen=True)
class Attempt:
    """What one attempt at a message came to: for logs, metrics and tests."""

    outcome: str  # sent, skipped, refused, retry, dead_letter
    detail: str = ""


class OutboxDelivery:
    def __init__(
        self,
        outbox: Outbox,
        retries: Retries,
        requests: Requests,
        mail: Mail,
        events: Events,
        mark_undeliverable: MarkUndeliverable,
        clock: Callable[[], str],
        comment_mail: CommentMail | None = None,
        comment_kinds: frozenset[str] = frozenset(),
    ) -> None:
        self.comment_mail = comment_mail  # mail about reader comments (services.comment_mail), by kind
        self.comment_kinds = comment_kinds
        self.outbox = outbox
        self.retries = retries
        self.requests = requests
        self.mail = mail
        self.events = events
        self.mark_undeliverable = mark_undeliverable
        self.clock = clock

    def from_stream(self, message: OutboxMessage, delivery: str) -> Attempt:
        """A message just written (its stream record's image)."""
        if delivery != Delivery.PENDING.value:
            return Attempt("skipped", delivery)
        return self._attempt(message)

    def from_retry(self, message_id: str) -> Attempt:
        """A message whose earlier attempt failed: read again, for it may have been delivered since."""
        found = self.outbox.get(message_id)
        if found is None:
            return Attempt("skipped", "no such message (expired?)")
        message, delivery = found
        if delivery != Delivery.PENDING.value:
            return Attempt("skipped", delivery)
        return self._attempt(message)

    def requeue_stale(self, quiet_since: str) -> list[str]:
        """The safety net, on a schedule: a pending message nothing has touched since ``quiet_since``
        (its stream record lost to a crash between attempt and retry, a stack restored from a snapshot)
        goes to the retry queue again. Delivery stays once: the retry reads its state first."""
        stale = self.outbox.stale(quiet_since)
        for message_id in stale:
            self.retries.schedule(message_id, 0)
        if stale:
            logger.warning("stale outbox messages sent for another attempt", extra={"count": len(stale)})
        return stale

    def _attempt(self, message: OutboxMessage) -> Attempt:
        log = {"outbox_id": message.id, "reference": message.reference, "kind": message.kind}
        try:
            detail = self._deliver(message)
        except MailRejected as exc:
            self.outbox.mark(message.id, Delivery.REFUSED, self.clock(), str(exc))
            if message.kind not in EDITOR_KINDS:
                self.mark_undeliverable(message.reference, str(message.payload.get("to", "")), str(exc))
            logger.warning("outbox message refused for good", extra={**log, "error": str(exc)})
            return Attempt("refused", str(exc))
        except ServiceUnavailable as exc:
            attempts = self.outbox.note_attempt(message.id, str(exc), self.clock())
            if gives_up(attempts):
                self.retries.dead_letter(message.id, str(exc))
                logger.error("outbox message dead-lettered", extra={**log, "attempts": attempts, "error": str(exc)})
                return Attempt("dead_letter", str(exc))
            delay = retry_delay(attempts)
            self.retries.schedule(message.id, delay)
            logger.info("outbox delivery failed; retrying", extra={**log, "attempts": attempts, "delay": delay})
            return Attempt("retry", str(exc))
        if not self.outbox.mark(message.id, Delivery.SENT, self.clock(), detail):
            return Attempt("skipped", "delivered meanwhile")
        logger.info("outbox message delivered", extra={**log, "detail": detail})
        return Attempt("sent", detail)

    def _deliver(self, message: OutboxMessage) -> str:
        if message.channel is Channel.EVENT:
            return "event " + self.events.publish(message.kind, dict(message.payload))
        if self.comment_mail is not None and message.kind in self.comment_kinds:
            return self.comment_mail.deliver(message)
        request = self.requests.get(message.reference)
        if request is None:
            # Erased (docs/privacy.md) or never stored: nobody to write to, and nothing to retry.
            return "request gone: not sent"
        sent = self.mail.notify(request, message.kind, message.occasion, **dict(message.payload))
        return "mail sent" if sent else "no mail allowed (unconfirmed address, or daily cap)"


class RecordRefusal:
    """Flag the request whose requester's address SES refused, with an audit event (status unchanged)."""

    ACTOR = "outbox"

    def __init__(self, requests: Any, clock: Callable[[], datetime], attempts: int = 3) -> None:
        self.requests = requests
        self.clock = clock
        self.attempts = attempts

    def __call__(self, reference: str, address: str, why: str) -> None:
        for _ in range(self.attempts):
            request = self.requests.get(reference)
            if request is None:
                return
            detail = f"mail to {address or 'the requester'} refused: {why}"
            after, event = mark_undeliverable(request, actor=self.ACTOR, at=self.clock(), detail=detail)
            try:
                self.requests.save_move(request, after, event)
                return
            except ConcurrentChange:
                continue
        raise ServiceUnavailable(f"{reference}: could not record the refused address (changed meanwhile)")
