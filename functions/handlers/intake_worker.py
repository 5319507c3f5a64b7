"""SQS consumer: each new request is screened into the queue and acknowledged.

Failures are reported per message (partial batch response), so one bad message is retried
alone and, after maxReceiveCount, lands in the dead-letter queue.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

from adapters.clock import new_id, utc_now
from adapters.duplicate_links import DuplicateLinks
from adapters.requests_table import RequestsTable
from corrigo import screening
from corrigo.config import duplicate_window_from, settings
from handlers.partial_batch import sqs_batch
from handlers.queue_errors import each_record
from observability import logger, metrics
from services.duplicates import Duplicates
from services.promises import Promises
from services.queueing import IntakeWorker
from services.screening import Screener, classifier_named

# ---- Composition: read and checked at cold start (a bad value fails INIT, naming it), built once ----
SETTINGS = settings(("CLASSIFIER",))
# Screening's thresholds and word lists, and how far back duplicates are looked for.
SCREENING = screening.config_from(os.environ)
DUPLICATE_WINDOW = duplicate_window_from(os.environ)


@cache
def worker() -> IntakeWorker:
    table = RequestsTable.for_settings(SETTINGS)
    promises = Promises(new_id, utc_now)
    return IntakeWorker(
        table,
        promises,
        utc_now,
        Screener(SCREENING, classifier_named(SETTINGS.classifier)),
        Duplicates(table, DuplicateLinks(table), promises, DUPLICATE_WINDOW, utc_now),
    )


# Powertools idempotency per SQS message: a redelivery of a message already handled does nothing
# (keyed by messageId, which SQS keeps across redeliveries, and the reference it carries; a new
# message for the same reference, e.g. after an incomplete request was completed, is handled as new).
IDEMPOTENCY = IdempotencyConfig(event_key_jmespath="[message_id, reference]", expires_after_seconds=6 * 3600)


@cache
def _process_once() -> Any:
    def handle(message: dict[str, str]) -> dict[str, str]:
        request = worker().process(message["reference"])
        return {"reference": message["reference"], "status": request.status.value if request else "unknown"}

    # Its own persistence layer: Powertools configures a layer per decorated function, so one shared
    # with another decorated function would have each overwrite the other's key settings.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from adapters.aws import client

    store = DynamoDBPersistenceLayer(
        table_name=SETTINGS.table_name, key_attr="pk", sort_key_attr="sk", boto3_client=client("dynamodb")
    )
    return idempotent_function(data_keyword_argument="message", persistence_store=store, config=IDEMPOTENCY)(handle)


@each_record
def process(record: SQSRecord) -> None:
    reference = json.loads(record.body)["reference"]
    logger.append_keys(reference=reference)
    _process_once()(message={"message_id": record.message_id, "reference": reference})


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    IDEMPOTENCY.register_lambda_context(context)
    return sqs_batch(event, process, context)
