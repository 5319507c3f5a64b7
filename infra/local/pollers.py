"""Event sources: the threads that turn queue messages and schedules into function invocations.

They do what Lambda's event source mappings and EventBridge do in AWS, with the same event
shapes and the same retry semantics (partial batch failures, redrive to the dead-letter queue).

Why not SQS long polling: moto is serialised (moto_endpoint.py) and its long poll sleeps inside
the request, so a 1-second WaitTimeSeconds would hold every other AWS call for that second. The
pollers ask without waiting and, when a queue is empty, sleep outside moto until a message is
sent (the endpoint tells them: `QueueActivity`) or a second has passed (messages whose
visibility timeout ran out reappear on their own).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from .lambda_runtime import FunctionTimedOut, LocalFunction
from .template import ACCOUNT_ID, REGION

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
SQS_RECEIVE_LIMIT = 10  # ReceiveMessage and the *Batch calls take at most 10 messages
SNS_DELIVERY_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries
# Without ScalingConfig.MaximumConcurrency, Lambda starts with five concurrent batches and scales up
# to the account's concurrency; locally five (moto serialises its calls: more would only queue).
DEFAULT_SQS_CONCURRENCY = 5


class QueueActivity:
    """Wakes the pollers when a message may have arrived; fed by the moto endpoint's request listener."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    def note_request(self, environ: Mapping[str, Any]) -> None:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
        if target.startswith("AmazonSQS.SendMessage") or "/sns/" in authorization:
            self.notify()

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def generation(self) -> int:
        with self._condition:
            return self._generation

    def wait_after(self, generation: int, timeout: float) -> None:
        """Sleep until something happened since `generation`, or `timeout` passed."""
        with self._condition:
            self._condition.wait_for(lambda: self._generation != generation, timeout=timeout)


class _QueuePoller(threading.Thread):
    """Receive, invoke, settle: the loop both queue-fed event sources share.

    One thread receives; each batch is processed in a pool of `max_concurrency` threads, and the
    receiver takes a free slot before it receives, so no batch is taken off the queue (made
    invisible) that could not be started at once. A slot is freed when the invocation ends for its
    caller, at its timeout at the latest, as Lambda frees it; a handler abandoned at its timeout may
    still be running then (lambda_runtime.py).
    """

    def __init__(
        self,
        *,
        function: LocalFunction,
        sqs: Any,
        queue_url: str,
        batch_size: int,
        stopping: threading.Event,
        activity: QueueActivity,
        retry_after_seconds: int,
        name: str,
        batching_window_seconds: float = 0.0,
        max_concurrency: int = 1,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.function = function
        self._sqs = sqs
        self.queue_url = queue_url
        self._batch_size = max(1, batch_size)
        self._batching_window = max(0.0, batching_window_seconds)
        self.max_concurrency = max(1, max_concurrency)
        self._slots = threading.BoundedSemaphore(self.max_concurrency)
        self._stopping = stopping
        self._activity = activity
        self._retry_after_seconds = retry_after_seconds

    def run(self) -> None:
        with ThreadPoolExecutor(self.max_concurrency, thread_name_prefix=self.name) as pool:
            while not self._stopping.is_set():
                if not self._slots.acquire(timeout=IDLE_POLL_SECONDS):
                    continue
                generation = self._activity.generation()
                try:
                    messages = self._receive()
                except Exception:  # e.g. the endpoint going away at shutdown: try again, never die
                    self._slots.release()
                    if self._stopping.is_set():
                        return
                    log.error("%s: polling failed:\n%s", self.name, traceback.format_exc())
                    messages = []
                else:
                    if messages:
                        pool.submit(self._process_in_slot, messages)
                        continue
                    self._slots.release()
                self._activity.wait_after(generation, IDLE_POLL_SECONDS)
        # Leaving the `with` waited for the batches in flight: stop() returns with none running.

    def _process_in_slot(self, messages: list[dict[str, Any]]) -> None:
        try:
            self.process(messages)
        except Exception:  # settling failed (the endpoint went away?): the messages reappear on their own
            log.error("%s: settling a batch failed:\n%s", self.name, traceback.format_exc())
        finally:
            self._slots.release()

    def _receive(self) -> list[dict[str, Any]]:
        """One batch: up to BatchSize messages, waiting up to MaximumBatchingWindowInSeconds for more."""
        messages: list[dict[str, Any]] = []
        window_ends: float | None = None
        while True:
            generation = self._activity.generation()
            batch = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(SQS_RECEIVE_LIMIT, self._batch_size - len(messages)),
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(batch)
            if len(messages) >= self._batch_size:
                break
            if len(batch) == SQS_RECEIVE_LIMIT:
                continue  # more may be waiting now
            if not messages or self._batching_window == 0 or self._stopping.is_set():
                break
            if window_ends is None:
                window_ends = time.monotonic() + self._batching_window
            remaining = window_ends - time.monotonic()
            if remaining <= 0:
                break
            # Lambda gathers records until the batch is full or the window ends, whichever comes first.
            self._activity.wait_after(generation, remaining)
        return messages

    def process(self, messages: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def delete(self, messages: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(messages), SQS_RECEIVE_LIMIT):
            chunk = messages[start : start + SQS_RECEIVE_LIMIT]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def retry_soon(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Make failed messages visible again shortly (not after the queue's full visibility timeout)."""
        for start in range(0, len(messages), SQS_RECEIVE_LIMIT):
            chunk = messages[start : start + SQS_RECEIVE_LIMIT]
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._retry_after_seconds}
                for i, m in enumerate(chunk)
            ]
            self._sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=entries)


class SqsEventSource(_QueuePoller):
    """An `SQS` event of a function: batches of up to BatchSize records, partial failures honoured.

    At most `max_concurrency` invocations at a time (the event's ScalingConfig.MaximumConcurrency).
    """

    def __init__(
        self,
        *,
        queue_arn: str,
        report_batch_item_failures: bool,
        max_concurrency: int | None = None,
        batching_window_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            max_concurrency=int(max_concurrency or DEFAULT_SQS_CONCURRENCY),
            batching_window_seconds=float(batching_window_seconds or 0),
            **kwargs,
        )
        self.queue_arn = queue_arn
        self._report_failures = report_batch_item_failures

    def process(self, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(message, self.queue_arn) for message in messages]}
        all_ids = {message["MessageId"] for message in messages}
        try:
            result = self.function.invoke(event)
        except FunctionTimedOut:
            # As Lambda does: the whole batch failed and nothing is deleted; each message reappears
            # when the queue's visibility timeout (counted from its receipt) runs out, and that
            # receive counts toward maxReceiveCount. Not retry_soon(): the abandoned handler may
            # still be working on these messages, and AWS requires the visibility timeout to be at
            # least the function's Timeout for exactly this reason.
            log.warning(
                "%s: %d messages left for the queue's visibility timeout to bring back", self.name, len(messages)
            )
            return
        except Exception:
            log.error("%s: %s failed:\n%s", self.name, self.function.spec.logical_id, traceback.format_exc())
            failed_ids = all_ids
        else:
            failed_ids = self._failed_ids(result, all_ids)
        self.delete([message for message in messages if message["MessageId"] not in failed_ids])
        failed = [message for message in messages if message["MessageId"] in failed_ids]
        if failed:
            self.retry_soon(failed)
            log.info("%s: %d of %d messages failed, retried soon", self.name, len(failed), len(messages))

    def _failed_ids(self, result: Any, all_ids: set[str]) -> set[str]:
        """The ids of the messages to retry, from the handler's answer."""
        if not self._report_failures:
            return set()
        failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return set()
        identifiers = {item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures}
        if not identifiers <= all_ids:
            # Lambda treats an unknown, empty or missing itemIdentifier as a failure of the whole batch.
            log.error("%s: batchItemFailures names ids not in the batch: %s", self.name, identifiers - all_ids)
            return all_ids
        return {str(identifier) for identifier in identifiers}


def sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One record of Lambda's SQS event for a ReceiveMessage result."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _lambda_message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    attribute["stringListValues"] = list(value.get("StringListValues") or [])
    attribute["binaryListValues"] = [base64.b64encode(item).decode() for item in value.get("BinaryListValues") or []]
    attribute["dataType"] = value["DataType"]
    return attribute


class SnsEventSource(_QueuePoller):
    """An `SNS` event of a function: the topic delivers to an internal queue, each message one invocation."""

    def __init__(self, *, subscription_arn: str, **kwargs: Any) -> None:
        super().__init__(batch_size=SQS_RECEIVE_LIMIT, **kwargs)
        self.subscription_arn = subscription_arn

    def process(self, messages: list[dict[str, Any]]) -> None:
        done, retry = [], []
        for message in messages:
            event = {"Records": [sns_record(json.loads(message["Body"]), self.subscription_arn)]}
            try:
                self.function.invoke(event)
                done.append(message)
            except Exception:
                log.error("%s: %s failed:\n%s", self.name, self.function.spec.logical_id, traceback.format_exc())
                attempts = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
                if attempts >= SNS_DELIVERY_ATTEMPTS:
                    log.error("%s: dropped after %d attempts, as Lambda would", self.name, attempts)
                    done.append(message)
                else:
                    retry.append(message)
        self.delete(done)
        if retry:
            self.retry_soon(retry)


def sns_record(notification: Mapping[str, Any], subscription_arn: str) -> dict[str, Any]:
    """One record of Lambda's SNS event for an SNS notification delivered to SQS (not raw)."""
    return {
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": notification.get("SignatureVersion", "1"),
            "Timestamp": notification.get("Timestamp"),
            "Signature": notification.get("Signature", ""),
            "SigningCertUrl": notification.get("SigningCertURL", ""),
            "MessageId": notification.get("MessageId"),
            "Message": notification.get("Message"),
            "MessageAttributes": dict(notification.get("MessageAttributes") or {}),
            "Type": notification.get("Type", "Notification"),
            "UnsubscribeUrl": notification.get("UnsubscribeURL", ""),
            "TopicArn": notification.get("TopicArn"),
            "Subject": notification.get("Subject"),
        },
    }


# ---------------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------------

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")


def describe_schedule(expression: str) -> str:
    """A schedule expression in words, for the start-up log (locally every schedule ticks faster)."""
    rate = _RATE.match(expression.strip())
    if rate:
        return f"every {rate.group(1)} {rate.group(2)}"
    return expression


class ScheduleTicker(threading.Thread):
    """A `Schedule`/`ScheduleV2` event: invokes the function every `interval` seconds, first after one interval."""

    def __init__(
        self,
        *,
        function: LocalFunction,
        rule_arn: str,
        source: str,
        interval_seconds: float,
        payload: Any,
        stopping: threading.Event,
        name: str,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.function = function
        self._rule_arn = rule_arn
        self._source = source
        self._interval = interval_seconds
        self._payload = payload
        self._stopping = stopping

    def run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.tick()

    def tick(self) -> None:
        event = self._payload if self._payload is not None else scheduled_event(self._rule_arn, self._source)
        try:
            self.function.invoke(event)
        except FunctionTimedOut:
            # A failed tick, as EventBridge sees it; the runtime logged the timeout and its REPORT line.
            log.error("%s: %s timed out; this tick failed", self.name, self.function.spec.logical_id)
        except Exception:
            log.error("%s: %s failed:\n%s", self.name, self.function.spec.logical_id, traceback.format_exc())


def scheduled_event(rule_arn: str, source: str = "aws.events") -> dict[str, Any]:
    """EventBridge's "Scheduled Event" as a scheduled rule delivers it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule_arn],
        "detail": {},
    }
