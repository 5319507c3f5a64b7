"""SQS in moto at the cost of one pass over a queue per request, not dozens.

moto 5.2.5 answers "how many messages are visible, delayed, in flight" by walking the whole queue and
reading the clock twice per message, and does so far more often than asked: every SendMessage
builds all the queue's attributes (to read ContentBasedDeduplication), and every message a
ReceiveMessage returns builds them three times more (to read MessageRetentionPeriod). A DeleteMessage
walks the queue twice, building a list for each message it passes. With a few thousand messages
queued (a burst the pollers have not caught up with), each of those calls takes tens of milliseconds
under the stack's one lock, and the pollers fall further behind.

Here a queue's attributes are each worked out when read, so a send reads ContentBasedDeduplication
and walks nothing (building them all still walked the queue three times a send: the burst's
submissions slowed as the intake queue's backlog grew, bench/local_burst.py); the counts read the
clock once per pass, the retention period is read from the queue itself, and a delete walks the
queue only as far as its message. What a client sees is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from moto.core.utils import camelcase_to_underscores, unix_time, unix_time_millis
from moto.sqs.exceptions import ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue, SQSBackend


def _visible_now(queue: Queue) -> list[Message]:
    # moto's Message.visible and Message.delayed, with one clock reading for the whole queue.
    now = unix_time_millis()
    return [message for message in queue._messages if now > message.visible_at and not now < message.delayed_until]


def _delayed_count(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for message in queue._messages if now < message.delayed_until)


def _not_visible_count(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for message in queue._messages if not now > message.visible_at)


def _visible_count(queue: Queue) -> int:
    return len(_visible_now(queue))


def _retention_period_checked_cheaply(self: SQSBackend, queue_name: str, message: Message) -> bool:
    # moto asked get_queue_attributes, which builds every attribute (and its counts) three times.
    retain_until = self.get_queue(queue_name).message_retention_period + message.sent_timestamp / 1000  # type: ignore[attr-defined,operator]
    return bool(retain_until > unix_time())


def _delete_in_one_pass(self: Queue, receipt_handle: str) -> None:
    if receipt_handle in self.deleted_messages:
        # Already deleted - gracefully handle deleting it again
        return
    # A handle, current or old, is its one message's: the walk stops there (messages are received
    # oldest first, so it is near the front), and the list closes up behind it.
    index = next(
        (
            index
            for index, message in enumerate(self._messages)
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles
        ),
        None,
    )
    if index is None:
        raise ReceiptHandleIsInvalid()
    message = self._messages[index]
    # Delete message from queue regardless of pending state
    self.pending_messages.discard(message)
    self.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]
    del self._messages[index]


class _LazyAttributes(Mapping[str, Any]):
    """`Queue.attributes` as moto builds it (the same names, in the same order, the same values), each
    value worked out when it is read."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def _names(self) -> dict[str, None]:
        queue = self._queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:  # type: ignore[attr-defined]
            names += queue.KMS_ATTRIBUTES
        return dict.fromkeys(names)

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        queue = self._queue
        value = getattr(queue, camelcase_to_underscores(name))
        if name == "RedrivePolicy" and queue.redrive_policy:
            value = json.dumps(queue.redrive_policy)
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return repr(dict(self))


def _lazy_attributes(queue: Queue) -> Mapping[str, Any]:
    return _LazyAttributes(queue)


_REPLACEMENTS: dict[tuple[type, str], Any] = {
    (Queue, "attributes"): property(_lazy_attributes),
    (Queue, "messages"): property(_visible_now),
    (Queue, "approximate_number_of_messages"): property(_visible_count),
    (Queue, "approximate_number_of_messages_delayed"): property(_delayed_count),
    (Queue, "approximate_number_of_messages_not_visible"): property(_not_visible_count),
    (Queue, "delete_message"): _delete_in_one_pass,
    (SQSBackend, "is_message_valid_based_on_retention_period"): _retention_period_checked_cheaply,
}
_UPSTREAM = {(owner, name): owner.__dict__[name] for owner, name in _REPLACEMENTS}


def apply() -> None:
    for (owner, name), replacement in _REPLACEMENTS.items():
        setattr(owner, name, replacement)


def remove() -> None:
    for (owner, name), upstream in _UPSTREAM.items():
        setattr(owner, name, upstream)


def is_applied() -> bool:
    return all(owner.__dict__[name] is replacement for (owner, name), replacement in _REPLACEMENTS.items())
