"""The transactional outbox: what a state change promises to send, written in the change's own transaction.

A service never calls SES or EventBridge after saving. It builds one ``OutboxMessage`` per email or
event the change implies and hands them to the repository, which puts them in the same DynamoDB
``TransactWriteItems`` as the change (the OutboxTable). The outbox consumer (handlers/outbox_delivery)
delivers each one from the table's stream, retrying with backoff, exactly once per message id; so a
saved change is never without its email, and SES being down never fails the change.

Pure: the id and the time are passed in (the caller owns uuid and clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"  # kind: a notification kind (corrigo.notifications); payload: compose's extras
    EVENT = "event"  # kind: the EventBridge detail-type; payload: the detail


class Delivery(StrEnum):
    PENDING = "pending"
    SENT = "sent"  # delivered (or, for mail, deliberately not sent: no allowed address, daily cap)
    REFUSED = "refused"  # permanently refused (SES rejected the address): shown to editors


RETENTION_DAYS = 30  # a delivered message is kept this long (TTL), for the audit and support
# While a message is pending it is in the OutboxTable's sparse `pending` index (this key, by creation
# time): the consumer's own sweep finds any that no delivery is working on any more (STALE_AFTER).
PENDING_KEY = "pending"
STALE_AFTER_SECONDS = 600


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    reference: str
    channel: Channel
    kind: str
    created_at: str
    occasion: str = ""  # tells repeated kinds of one request apart (each question asked, each escalation)
    payload: Mapping[str, Any] = field(default_factory=dict)


def email(message_id: str, reference: str, kind: str, now: str, occasion: str = "", **extra: Any) -> OutboxMessage:
    """An email about ``reference``; ``extra`` is what the template needs beyond the request (``to``
    for mail to editors; the requester's address is chosen at delivery, by corrigo.contact)."""
    return OutboxMessage(message_id, reference, Channel.EMAIL, kind, now, occasion, dict(extra))


def event(message_id: str, reference: str, detail_type: str, now: str, detail: Mapping[str, Any]) -> OutboxMessage:
    return OutboxMessage(message_id, reference, Channel.EVENT, detail_type, now, "", dict(detail))


def to_item(message: OutboxMessage, expires_at: int) -> dict[str, Any]:
    return {
        "id": message.id,
        "reference": message.reference,
        "channel": message.channel.value,
        "kind": message.kind,
        "occasion": message.occasion,
        "payload": dict(message.payload),
        "created_at": message.created_at,
        "delivery": Delivery.PENDING.value,
        "pending": PENDING_KEY,
        "last_activity_at": message.created_at,
        "attempts": 0,
        "expires_at": expires_at,
    }


def from_item(item: Mapping[str, Any]) -> OutboxMessage:
    return OutboxMessage(
        id=str(item["id"]),
        reference=str(item["reference"]),
        channel=Channel(str(item["channel"])),
        kind=str(item["kind"]),
        created_at=str(item["created_at"]),
        occasion=str(item.get("occasion", "")),
        payload=dict(item.get("payload") or {}),
    )


# Retries: a failed delivery is tried again after 5, 10, 20, 40 s, then every minute, so that once SES
# (or EventBridge) is back every pending message goes within a minute; after MAX_ATTEMPTS (about an
# hour of failures) it goes to the dead-letter queue, whose alarm tells the operators.
FIRST_RETRY_SECONDS = 5
MAX_RETRY_SECONDS = 60
MAX_ATTEMPTS = 60


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based)."""
    if attempts < 1:
        raise ValueError("attempts start at 1")
    return int(min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** min(attempts - 1, 16)))


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


# On a request whose requester's address bounced or was refused by SES: editors see it (issue 10).
UNDELIVERABLE_FLAG = "requester_email_undeliverable"
