"""Queue messages, schedules and topic notifications reach their functions with Lambda's event shapes."""

import sys

import pytest

from tests.support.waiting import wait_for


@pytest.fixture
def worker(stack):
    module = sys.modules["lstest_handlers.worker"]  # the handler module the stack imported
    module.batches.clear()
    return module


def test_a_batch_is_delivered_and_only_failed_records_come_back_then_go_to_the_dlq(stack, worker):
    sqs = stack.aws("sqs")
    queue_url = stack.resource("WorkQueue")
    sqs.send_message_batch(
        QueueUrl=queue_url,
        Entries=[
            {"Id": "1", "MessageBody": "ok-1",
             "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "test"}}},
            {"Id": "2", "MessageBody": "fail-always"},
            {"Id": "3", "MessageBody": "ok-2"},
        ],
    )  # fmt: skip

    def bodies_seen():
        return [record["body"] for batch in worker.batches for record in batch]

    wait_for(lambda: bodies_seen().count("fail-always") >= 2)
    dead_letters = wait_for(lambda: sqs.receive_message(QueueUrl=stack.resource("WorkDeadLetterQueue")).get("Messages"))

    first_batch = worker.batches[0]
    assert sorted(record["body"] for record in first_batch) == ["fail-always", "ok-1", "ok-2"]
    record = next(record for record in first_batch if record["body"] == "ok-1")
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.resource_attribute("WorkQueue", "Arn")
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "test", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    assert record["md5OfBody"]
    assert record["receiptHandle"]
    # Succeeded records were deleted (seen once); the failed one was retried, then dead-lettered.
    assert bodies_seen().count("ok-1") == 1
    assert bodies_seen().count("ok-2") == 1
    assert bodies_seen().count("fail-always") == 2
    assert [message["Body"] for message in dead_letters] == ["fail-always"]
    retried = [r for batch in worker.batches[1:] for r in batch if r["body"] == "fail-always"]
    assert retried[0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_a_schedule_ticks_with_a_scheduled_event(stack):
    ticker = sys.modules["lstest_handlers.ticker"]
    event = wait_for(lambda: ticker.ticks and ticker.ticks[-1])

    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"][0].startswith("arn:aws:events:us-east-1:123456789012:rule/")
    assert event["detail"] == {}


def test_a_function_subscribed_to_a_topic_gets_an_sns_event(stack):
    ticker = sys.modules["lstest_handlers.ticker"]
    stack.aws("sns").publish(TopicArn=stack.resource("OutcomeTopic"), Message="resolved", Subject="Outcome")

    event = wait_for(lambda: ticker.notifications and ticker.notifications[-1])
    (record,) = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["Message"] == "resolved"
    assert record["Sns"]["Subject"] == "Outcome"
    assert record["Sns"]["TopicArn"] == stack.resource("OutcomeTopic")
