"""The outbox consumer: the OutboxTable's stream (new messages), the retry queue (messages whose
delivery failed and waits for its next attempt) and a schedule (pending messages nothing is working
on any more), all through services.outbox_delivery.

Failures are reported per record, so one message's trouble never holds back another's: a stream
record that could not even be handed to the retry queue is retried by Lambda from that record on.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from adapters.auto_reply_counters import AutoReplyCounters
from adapters.comments_table import CommentsTable
from adapters.events import EventBus
from adapters.mailer import Mailer
from adapters.outbox_table import OutboxTable
from adapters.queues import Queue
from adapters.requests_table import RequestsTable
from corrigo.config import ConfigError, settings
from corrigo.model import iso, utc_now
from corrigo.notifications import MailContext
from corrigo.outbox import STALE_AFTER_SECONDS
from handlers.partial_batch import sqs_batch, stream_batch
from observability import logger, metrics
from services.comment_mail import KINDS as COMMENT_MAIL_KINDS
from services.comment_mail import CommentMail
from services.notify import Notifier
from services.outbox_delivery import OutboxDelivery, RecordRefusal
from web.render import render_email

SETTINGS = settings()


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is required")
    return value


RETRY_QUEUE_URL = _required("OUTBOX_RETRY_QUEUE_URL")
DEAD_LETTER_QUEUE_URL = _required("OUTBOX_DEAD_LETTER_QUEUE_URL")
EVENT_BUS_NAME = _required("EVENT_BUS_NAME")
if not SETTINGS.outbox_table_name:
    raise ConfigError("environment variable OUTBOX_TABLE_NAME is required")


class RetryQueues:
    """The retry queue (a delayed message per attempt) and the dead-letter queue after the last."""

    def __init__(self, retry: Queue, dead_letter: Queue) -> None:
        self.retry = retry
        self.dead_letter_queue = dead_letter

    def schedule(self, message_id: str, delay_seconds: int) -> None:
        self.retry.send({"id": message_id}, delay_seconds=delay_seconds)

    def dead_letter(self, message_id: str, reason: str) -> None:
        self.dead_letter_queue.send({"id": message_id, "reason": reason[:1000]})


def _now() -> str:
    return iso(utc_now())


@cache
def outbox() -> OutboxTable:
    return OutboxTable(SETTINGS.outbox_table_name)


@cache
def requests() -> RequestsTable:
    return RequestsTable(SETTINGS.table_name)


@cache
def mailer() -> Mailer:
    return Mailer(SETTINGS.ses_configuration_set)


@cache
def notifier() -> Notifier:
    return Notifier(SETTINGS, mailer(), counters=AutoReplyCounters(requests().db))


@cache
def delivery() -> OutboxDelivery:
    return OutboxDelivery(
        outbox=outbox(),
        retries=RetryQueues(Queue(RETRY_QUEUE_URL), Queue(DEAD_LETTER_QUEUE_URL)),
        requests=requests(),
        mail=notifier(),
        events=EventBus(EVENT_BUS_NAME),
        mark_undeliverable=RecordRefusal(requests(), utc_now),
        clock=_now,
        comment_mail=comment_mail(),
        comment_kinds=COMMENT_MAIL_KINDS,
    )


@cache
def comment_mail() -> CommentMail | None:
    """Mail to comment authors (issue 12), composed from the comment: only where the comments' table is named."""
    table_name = os.environ.get("COMMENTS_TABLE_NAME", "").strip()
    if not table_name:
        return None
    context = MailContext(SETTINGS.sender_address, SETTINGS.intake_address, SETTINGS.public_base_url, render_email)
    return CommentMail(CommentsTable(table_name), mailer(), context, utc_now)


def from_stream(record: DynamoDBRecord) -> None:
    if record.event_name is None or record.event_name.name != "INSERT" or record.dynamodb is None:
        return
    image = record.raw_event["dynamodb"].get("NewImage") or {}
    message, state = outbox().decode(image)
    logger.append_keys(reference=message.reference, outbox_id=message.id)
    delivery().from_stream(message, state)


def from_retry(record: SQSRecord) -> None:
    message_id = str(json.loads(record.body)["id"])
    logger.append_keys(outbox_id=message_id)
    delivery().from_retry(message_id)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    notifier().register_context(context)
    mailer().bind_invocation(context)
    if event.get("detail-type") == "Scheduled Event":
        quiet_since = iso(utc_now() - timedelta(seconds=STALE_AFTER_SECONDS))
        return {"requeued": len(delivery().requeue_stale(quiet_since))}
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        return sqs_batch(event, from_retry, context)
    return stream_batch(event, from_stream, context)
