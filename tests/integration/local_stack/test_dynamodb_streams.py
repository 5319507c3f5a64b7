"""A table's stream reaches its function as Lambda's DynamoDB event source mapping delivers it:
filtered, in order, failed records retried from the first failure, then the batch's description sent
to the OnFailure destination and the reader moving on."""

import json
import sys

import pytest

from tests.support.waiting import wait_for


@pytest.fixture
def consumer(stack):
    module = sys.modules["lstest_handlers.streams"]  # the handler module the stack imported
    module.batches.clear()
    return module


def put(stack, key, **attributes):
    item = {"id": {"S": key}, **{name: {"BOOL": value} for name, value in attributes.items()}}
    stack.aws("dynamodb").put_item(TableName=stack.resource("StreamedTable"), Item=item)


def delivered(consumer):
    return [record["dynamodb"]["Keys"]["id"]["S"] for batch in consumer.batches for record in batch]


def test_new_items_arrive_in_order_with_lambdas_record_shape(stack, consumer):
    for key in ("a1", "a2", "a3"):
        put(stack, key)

    wait_for(lambda: {"a1", "a2", "a3"} <= set(delivered(consumer)))

    keys = [key for key in delivered(consumer) if key.startswith("a")]
    assert keys == ["a1", "a2", "a3"]
    record = next(r for batch in consumer.batches for r in batch if r["dynamodb"]["Keys"]["id"]["S"] == "a1")
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == stack.resource_attribute("StreamedTable", "StreamArn")
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "a1"}}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
    json.dumps(record)  # what a function receives is plain JSON


def test_the_filter_keeps_changes_to_existing_items_away(stack, consumer):
    put(stack, "b1")
    wait_for(lambda: "b1" in delivered(consumer))
    stack.aws("dynamodb").update_item(
        TableName=stack.resource("StreamedTable"),
        Key={"id": {"S": "b1"}},
        UpdateExpression="SET seen = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    put(stack, "b2")  # a later insert: once it is delivered, the MODIFY before it was read too

    wait_for(lambda: "b2" in delivered(consumer))

    assert delivered(consumer).count("b1") == 1
    assert all(r["eventName"] == "INSERT" for batch in consumer.batches for r in batch)


def test_a_failing_record_is_retried_from_itself_then_described_to_the_failure_queue(stack, consumer):
    sqs = stack.aws("sqs")
    put(stack, "c1")
    put(stack, "c2", fail=True)
    put(stack, "c3")
    wait_for(lambda: "c3" in delivered(consumer))
    put(stack, "c4")  # after the failed batch is given up, reading goes on

    failure = wait_for(lambda: sqs.receive_message(QueueUrl=stack.resource("StreamFailureQueue")).get("Messages"))
    wait_for(lambda: "c4" in delivered(consumer))

    keys = delivered(consumer)
    assert keys.count("c1") == 1  # before the failure: not delivered again
    assert keys.count("c2") == 2  # the first try and MaximumRetryAttempts (1) retry
    info = json.loads(failure[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["streamArn"] == stack.resource_attribute("StreamedTable", "StreamArn")
    assert info["DDBStreamBatchInfo"]["batchSize"] >= 1
