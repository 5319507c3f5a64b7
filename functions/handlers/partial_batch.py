"""A batch from SQS or a DynamoDB stream, handled record by record, failures reported per record.

Every event source mapping of the template has `ReportBatchItemFailures`: the answer names the
records that failed (`batchItemFailures`), and Lambda retries those alone (SQS) or from the first of
them (a stream). When every record failed, the invocation fails instead, so that the function's
Errors alarm sees it and Lambda retries the batch whole — what Powertools' `process_partial_response`
does. Powertools' batch utility is not used for it because importing it imports asyncio (for its
async processor), ~20 ms of every consumer's cold start (issue 8); the record classes are still
Powertools' own.

A record is not started once less than a third of the time the batch began with is left (given the
invocation's context): it and those after it are reported failed, unhandled, and come back in another
invocation. A record that runs into the Timeout anyway is cut off wherever it is; so that this is
never between SES accepting an email and its being recorded (the retry would send it again), the
mailer starts no email unless SES's longest answer would still leave adapters.mailer.RECORD_RESERVE_MS
(corrigo.errors.OutOfTime, a failed record like this one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from corrigo.errors import OutOfTime
from observability import logger

Record = TypeVar("Record", SQSRecord, DynamoDBRecord)


class LeftForLater(OutOfTime):
    """Not started: too little of the invocation's time was left to finish it."""


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, and Lambda retries the batch whole."""

    def __init__(self, errors: list[Exception]) -> None:
        listed = "; ".join(f"{type(error).__name__}: {error}" for error in errors)
        super().__init__(f"all {len(errors)} records of the batch failed: {listed}"[:2000])
        self.errors = errors


def _each(
    event: Mapping[str, Any],
    wrap: Callable[[dict[str, Any]], Record],
    identify: Callable[[Record], str],
    handle: Callable[[Record], object],
    context: Any,
) -> dict[str, list[dict[str, str]]]:
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("not a batch: the event has no Records list")
    time_left: Callable[[], int] | None = getattr(context, "get_remaining_time_in_millis", None)
    reserve_ms = time_left() / 3 if time_left is not None else 0
    failed: list[dict[str, str]] = []
    errors: list[Exception] = []
    for index, raw in enumerate(records):
        record = wrap(raw)
        try:
            left_ms = time_left() if index and time_left is not None else None
            if left_ms is not None and left_ms < reserve_ms:
                raise LeftForLater(f"{left_ms} ms left of the invocation")
            handle(record)
        except Exception as error:
            failed.append({"itemIdentifier": identify(record)})
            errors.append(error)
            if isinstance(error, OutOfTime):  # other errors are logged where they are mapped
                logger.info("record left for a later invocation", extra={"error_type": type(error).__name__})
    if records and len(failed) == len(records):
        raise BatchFailed(errors)
    return {"batchItemFailures": failed}


def sqs_batch(
    event: Mapping[str, Any], handle: Callable[[SQSRecord], object], context: Any = None
) -> dict[str, list[dict[str, str]]]:
    """Each SQS message handled; the answer names those that failed (by message id)."""
    return _each(event, SQSRecord, lambda record: record.message_id, handle, context)


def stream_batch(
    event: Mapping[str, Any], handle: Callable[[DynamoDBRecord], object], context: Any = None
) -> dict[str, list[dict[str, str]]]:
    """Each stream record handled; the answer names those that failed (by sequence number)."""
    return _each(event, DynamoDBRecord, _sequence_number, handle, context)


def _sequence_number(record: DynamoDBRecord) -> str:
    return str(record.raw_event["dynamodb"]["SequenceNumber"])
