"""SQS consumer: each new request is screened into the queue and acknowledged.

Failures are reported per message (partial batch response), so one bad message is retried
alone and, after maxReceiveCount, lands in the dead-letter queue.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from adapters.mailer import Mailer
from adapters.requests_table import RequestsTable
from corrigo.config import settings
from observability import logger, metrics
from services.notify import Notifier
from services.queueing import IntakeWorker

SETTINGS = settings()
processor = BatchProcessor(event_type=EventType.SQS)


@cache
def worker() -> IntakeWorker:
    return IntakeWorker(RequestsTable(SETTINGS.table_name), Notifier(SETTINGS, Mailer(SETTINGS.ses_configuration_set)))


def process(record: SQSRecord) -> None:
    reference = json.loads(record.body)["reference"]
    logger.append_keys(reference=reference)
    worker().process(reference)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    worker().notifier.register_context(context)
    return process_partial_response(event=event, record_handler=process, processor=processor, context=context)
