"""SQS consumer: each record is SES's notification (inside SNS's envelope) of a mail to the contact
mailbox, stored in S3 by the receipt rule. Failures are reported per record, so one mail is retried
alone and, after maxReceiveCount, waits in the dead-letter queue (its raw message stays in S3)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from adapters.clock import new_id, utc_now
from adapters.mail_markers import MailMarkers
from adapters.queues import Queue
from adapters.raw_mail import RawMailStore
from adapters.requests_table import RequestsTable
from corrigo.config import editor_addresses_from, settings
from corrigo.mail.config import mail_settings
from corrigo.mail.notification import NotAMailNotification, notification_from_body
from handlers.partial_batch import sqs_batch
from handlers.queue_errors import each_record
from handlers.wiring import review_service
from observability import logger, metrics
from services.intake import IntakeService
from services.mail_intake import MailIntakeService

# ---- Composition: read and checked at cold start (a bad value fails INIT, naming it), built once ----
SETTINGS = settings(("INTAKE_QUEUE_URL",))
MAIL = mail_settings()
EDITORS = editor_addresses_from(os.environ)


@cache
def table() -> RequestsTable:
    return RequestsTable.for_settings(SETTINGS)


@cache
def raw_mail() -> RawMailStore:
    return RawMailStore(MAIL.raw_mail_bucket)


@cache
def intake_queue() -> Queue:
    return Queue(SETTINGS.intake_queue_url)


@cache
def service() -> MailIntakeService:
    review = review_service(SETTINGS, EDITORS, table())
    return MailIntakeService(
        SETTINGS,
        MAIL,
        table(),
        MailMarkers(table().db),
        raw_mail(),
        IntakeService(SETTINGS, table(), intake_queue(), utc_now),
        new_id,
        utc_now,
        # A reply to an editor's question goes to the review service, as the status page's form does.
        answer_requester=lambda reference, text: review.answer(reference, text, "email", check_token=False),
    )


# Time kept back from the invocation for writing the quarantined request and reporting the batch.
RESERVED_SECONDS = 10


@each_record
def process(record: SQSRecord, lambda_context: Any = None) -> None:
    try:
        notification = notification_from_body(record.body)
    except NotAMailNotification as exc:
        # SES's set-up test and the like: nothing was received, so nothing can be lost.
        logger.info("not a received-mail notification; skipped", extra={"reason": str(exc)})
        return
    logger.append_keys(object_key=notification.key)
    seconds_left = lambda_context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS if lambda_context else None
    handled = service().handle(notification, seconds_left)
    logger.append_keys(reference=handled.reference)
    logger.info("mail handled", extra={"outcome": handled.outcome, "status": handled.status})
    metrics.add_metric(name=f"Mail_{handled.outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return sqs_batch(event, lambda record: process(record, context), context)
