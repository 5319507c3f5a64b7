"""SQS in moto at the cost of one pass over a queue per request, not dozens.

moto 5.2.5 answers "how many messages are visible, delayed, in flight" by walking the whole queue and
reading the clock twice per message, and does so far more often than asked: every SendMessage
builds all the queue's attributes (to read ContentBasedDeduplication), and every message a
ReceiveMessage returns builds them three times more (to read MessageRetentionPeriod). A DeleteMessage
walks the queue twice, building a list for each message it passes. With a few thousand messages
queued (a burst the pollers have not caught up with), each of those calls takes tens of milliseconds
under the stack's one lock, and the pollers fall further behind.

Here the counts read the clock once per pass, the retention period is read from the queue itself,
and a delete walks the queue once to find its message. What a client sees is unchanged.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time, unix_time_millis
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
    deleted = [
        message
        for message in self._messages
        if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles
    ]
    if not deleted:
        raise ReceiptHandleIsInvalid()
    # Delete message from queue regardless of pending state
    for message in deleted:
        self.pending_messages.discard(message)
        self.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]
    gone = {id(message) for message in deleted}
    self._messages = [message for message in self._messages if id(message) not in gone]


_REPLACEMENTS: dict[tuple[type, str], Any] = {
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
