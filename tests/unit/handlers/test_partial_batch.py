"""handlers/partial_batch.py: what Lambda's ReportBatchItemFailures expects, from AWS's sample events."""

from __future__ import annotations

import copy
import json

import pytest

from handlers.partial_batch import BatchFailed, sqs_batch, stream_batch
from tests.support.events import aws_sample, sqs_event


def failing_on(*bodies: str):
    def handle(record):
        if record.body in bodies:
            raise RuntimeError(f"cannot take {record.body}")

    return handle


def test_an_sqs_batch_names_only_the_messages_that_failed():
    event = sqs_event(["one", "two", "three"])
    two = event["Records"][1]["messageId"]

    assert sqs_batch(event, failing_on("two")) == {"batchItemFailures": [{"itemIdentifier": two}]}


def test_every_message_is_handled_after_one_fails():
    event = sqs_event(["one", "two", "three"])
    seen: list[str] = []

    def handle(record):
        seen.append(record.body)
        if record.body == "one":
            raise RuntimeError("no")

    sqs_batch(event, handle)

    assert seen == ["one", "two", "three"]


def test_a_batch_that_all_failed_fails_the_invocation_naming_each_error():
    event = sqs_event(["one", "two"])

    with pytest.raises(BatchFailed, match=r"all 2 records.*RuntimeError: cannot take one.*cannot take two") as failed:
        sqs_batch(event, failing_on("one", "two"))

    assert [str(error) for error in failed.value.errors] == ["cannot take one", "cannot take two"]


def test_a_batch_that_all_succeeded_reports_no_failure():
    assert sqs_batch(sqs_event(["one"]), lambda record: None) == {"batchItemFailures": []}
    assert sqs_batch({"Records": []}, lambda record: None) == {"batchItemFailures": []}


def test_an_event_without_records_is_refused():
    with pytest.raises(ValueError, match="no Records"):
        sqs_batch({"detail-type": "Scheduled Event"}, lambda record: None)


def test_a_stream_batch_names_the_failed_records_by_sequence_number():
    event = copy.deepcopy(aws_sample("powertools_dynamoStreamEvent.json"))
    numbers = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
    assert len(numbers) >= 2, "the sample has one record: the test needs two"

    def handle(record):
        if record.raw_event["dynamodb"]["SequenceNumber"] == numbers[1]:
            raise RuntimeError("no")

    assert stream_batch(event, handle) == {"batchItemFailures": [{"itemIdentifier": numbers[1]}]}


def test_the_same_answers_as_powertools_process_partial_response():
    """What the module replaces (Powertools' batch utility, for its import cost): the same answers."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    sqs = sqs_event(["one", "two", "three"])
    stream = aws_sample("powertools_dynamoStreamEvent.json")
    first_stream_number = stream["Records"][0]["dynamodb"]["SequenceNumber"]

    def fail_stream(record):
        if record.raw_event["dynamodb"]["SequenceNumber"] == first_stream_number:
            raise RuntimeError("no")

    ours = [sqs_batch(sqs, failing_on("two")), stream_batch(stream, fail_stream)]
    theirs = [
        process_partial_response(sqs, failing_on("two"), BatchProcessor(EventType.SQS)),
        process_partial_response(stream, fail_stream, BatchProcessor(EventType.DynamoDBStreams)),
    ]
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(theirs))
    with pytest.raises(BatchProcessingError):
        process_partial_response(sqs, failing_on("one", "two", "three"), BatchProcessor(EventType.SQS))
    with pytest.raises(BatchFailed):
        sqs_batch(sqs, failing_on("one", "two", "three"))


class Clock:
    """A Lambda context whose remaining time drops by `cost_ms` for each record handled."""

    def __init__(self, start_ms: int, cost_ms: int) -> None:
        self.left_ms, self.cost_ms = start_ms, cost_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.left_ms

    def spend(self, record) -> None:
        self.left_ms -= self.cost_ms


def test_no_record_is_started_once_less_than_a_third_of_the_batch_time_is_left():
    event = sqs_event(["one", "two", "three", "four", "five"])
    clock = Clock(start_ms=15_000, cost_ms=4_000)  # 15 s: a record is started while 5 s or more are left
    handled: list[str] = []

    def handle(record):
        handled.append(record.body)
        clock.spend(record)

    answer = sqs_batch(event, handle, clock)

    assert handled == ["one", "two", "three"]  # 15, 11 and 7 s left when each began; 3 s before the fourth
    left = [record["messageId"] for record in event["Records"][3:]]
    assert answer == {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in left]}


def test_the_first_record_is_always_started_and_a_stream_resumes_from_the_first_left():
    event = copy.deepcopy(aws_sample("powertools_dynamoStreamEvent.json"))
    clock = Clock(start_ms=900, cost_ms=800)
    handled: list[str] = []

    def handle(record):
        handled.append(str(record.raw_event["dynamodb"]["SequenceNumber"]))
        clock.spend(record)

    answer = stream_batch(event, handle, clock)

    numbers = [str(record["dynamodb"]["SequenceNumber"]) for record in event["Records"]]
    assert handled == numbers[:1]
    assert answer["batchItemFailures"][0] == {"itemIdentifier": numbers[1]}
