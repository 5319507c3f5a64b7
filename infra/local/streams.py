"""The `DynamoDB` event source: a table's stream, read as Lambda's event source mapping reads it.

One reader per mapping, from the shard's TRIM_HORIZON or LATEST: batches of up to BatchSize records
(gathered for up to MaximumBatchingWindowInSeconds), records the FilterCriteria drop never reach the
function, and a failed batch is retried in order — from the first record the function reported in
`batchItemFailures` (ReportBatchItemFailures), or whole — until MaximumRetryAttempts; then the batch's
description goes to the OnFailure destination and the reader moves on, as Lambda does. Records are
delivered in the shape Lambda gives them (`eventSourceARN`, creation time in epoch seconds).

The reader sleeps between polls outside moto, woken by any write to a table (`TableActivity`).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import traceback
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .event_filters import keeps
from .lambda_runtime import FunctionTimedOut, LocalFunction
from .pollers import IDLE_POLL_SECONDS, QueueActivity

log = logging.getLogger(__name__)

_TABLE_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


class TableActivity(QueueActivity):
    """Wakes the stream readers when a table may have changed."""

    def note_request(self, environ: Mapping[str, Any]) -> None:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target.startswith("DynamoDB_20120810.") and target.split(".", 1)[1] in _TABLE_WRITES:
            self.notify()


class DynamoDBStreamEventSource(threading.Thread):
    def __init__(
        self,
        *,
        function: LocalFunction,
        streams: Any,
        sqs: Any,
        stream_arn: str,
        starting_position: str,
        batch_size: int,
        batching_window_seconds: float,
        maximum_retry_attempts: int,
        report_batch_item_failures: bool,
        filters: Sequence[Mapping[str, Any]],
        on_failure_queue_url: str | None,
        stopping: threading.Event,
        activity: QueueActivity,
        retry_after_seconds: float,
        name: str,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.function = function
        self._streams = streams
        self._sqs = sqs
        self.stream_arn = stream_arn
        self._starting_position = starting_position
        self._batch_size = max(1, batch_size)
        self._window = max(0.0, batching_window_seconds)
        # -1 (Lambda's default) retries until the record expires from the stream (24 h): forever here.
        self._max_retries = maximum_retry_attempts
        self._report_failures = report_batch_item_failures
        self._filters = list(filters)
        self._on_failure_queue_url = on_failure_queue_url
        self._stopping = stopping
        self._activity = activity
        self._retry_after = retry_after_seconds
        self._iterator: str | None = None
        self._read: list[dict[str, Any]] = []  # read from the shard, not yet handed to the function

    def run(self) -> None:
        while not self._stopping.is_set():
            generation = self._activity.generation()
            try:
                batch = self._next_batch()
            except Exception:  # the endpoint going away at shutdown, or a hiccup: try again, never die
                if self._stopping.is_set():
                    return
                log.error("%s: reading the stream failed:\n%s", self.name, traceback.format_exc())
                batch = []
            if batch:
                self._deliver(batch)
            else:
                self._activity.wait_after(generation, IDLE_POLL_SECONDS)

    # --- reading -----------------------------------------------------------------------------------

    def _shard_iterator(self) -> str:
        description = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        shard_id = description["Shards"][0]["ShardId"]
        return str(
            self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=self._starting_position
            )["ShardIterator"]
        )

    def _poll(self) -> None:
        if self._iterator is None:
            self._iterator = self._shard_iterator()
        answer = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
        self._iterator = answer.get("NextShardIterator") or self._iterator
        for raw in answer.get("Records", []):
            record = lambda_record(raw, self.stream_arn)
            if keeps(self._filters, record):
                self._read.append(record)

    def _next_batch(self) -> list[dict[str, Any]]:
        if len(self._read) < self._batch_size:
            self._poll()
        if self._read and len(self._read) < self._batch_size and self._window:
            # Lambda gathers records until the batch is full or the window ends.
            generation = self._activity.generation()
            self._activity.wait_after(generation, self._window)
            self._poll()
        batch, self._read = self._read[: self._batch_size], self._read[self._batch_size :]
        return batch

    # --- delivering --------------------------------------------------------------------------------

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        retries = 0
        while batch and not self._stopping.is_set():
            failed_from = self._invoke(batch)
            if failed_from is None:
                return
            batch = batch[failed_from:]
            if 0 <= self._max_retries <= retries:
                self._give_up(batch, retries + 1)
                return
            retries += 1
            self._stopping.wait(self._retry_after)
        if batch:  # stopping: Lambda would retry them; the next start reads the shard again
            log.info("%s: %d records not delivered before the stop", self.name, len(batch))

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """None when the batch succeeded, else the index of the first record to retry."""
        try:
            result = self.function.invoke({"Records": batch})
        except FunctionTimedOut:
            return 0
        except Exception:
            log.error("%s: %s failed:\n%s", self.name, self.function.spec.logical_id, traceback.format_exc())
            return 0
        if not self._report_failures or not isinstance(result, dict):
            return None
        failures = result.get("batchItemFailures") or []
        if not failures:
            return None
        sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
        identifiers = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures]
        if not all(identifier in sequence for identifier in identifiers):
            log.error("%s: batchItemFailures names records not in the batch: %s", self.name, identifiers)
            return 0  # Lambda treats it as a failure of the whole batch
        return min(sequence.index(str(identifier)) for identifier in identifiers)

    def _give_up(self, batch: list[dict[str, Any]], attempts: int) -> None:
        log.error("%s: %d records failed %d times; skipped", self.name, len(batch), attempts)
        if not self._on_failure_queue_url:
            return
        self._sqs.send_message(
            QueueUrl=self._on_failure_queue_url, MessageBody=json.dumps(on_failure_record(self, batch, attempts))
        )


def lambda_record(raw: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it to a function."""
    dynamodb = dict(raw.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in dynamodb:
            dynamodb[image] = _json_attributes(dynamodb[image])
    return {
        "eventID": raw.get("eventID", uuid.uuid4().hex),
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion", ""),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def _json_attributes(value: Any) -> Any:
    """boto3 parsed B and BS values to bytes; Lambda's event carries them base64-encoded."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {key: _json_attributes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_attributes(item) for item in value]
    return value


def on_failure_record(
    source: DynamoDBStreamEventSource, batch: Sequence[Mapping[str, Any]], attempts: int
) -> dict[str, Any]:
    """What Lambda sends to a stream mapping's OnFailure destination: the batch's place in the shard."""
    first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": source.function.spec.arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": "",
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
            "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
            "batchSize": len(batch),
            "streamArn": source.stream_arn,
        },
    }


def _iso(epoch: Any) -> str:
    if not isinstance(epoch, int | float):
        return ""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
