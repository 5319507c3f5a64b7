"""SQS with infra/moto_fixes/sqs_queues.py: what a client sees is what moto as released shows (one
script, run on both), and a request's cost no longer follows the depth of its queue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.moto_fixes.conftest import moto_as

COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible"]
DEEP = 300  # messages queued for the cost tests


@contextmanager
def mocked_sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("sqs")


@contextmanager
def counting_clock_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How often moto reads the time: what its walks over a queue cost, counted rather than timed."""
    import moto.core.utils

    reads = [0]
    upstream = moto.core.utils.utcnow

    def counted() -> Any:
        reads[0] += 1
        return upstream()

    with monkeypatch.context() as patch:
        patch.setattr(moto.core.utils, "utcnow", counted)
        yield reads


def counts(sqs: Any, queue: str) -> list[int]:
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return [int(attributes[name]) for name in COUNTS]


def error_code(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "no error"


def run_script(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Sends, delays, receives, deletes (once, twice, with a bad handle, in a batch), visibility, retention."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    seen: list[Any] = []
    with mocked_sqs(monkeypatch) as sqs:
        queue = sqs.create_queue(QueueName="intake", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        for index in range(20):
            sqs.send_message(QueueUrl=queue, MessageBody=f"m{index}", DelaySeconds=900 if index % 7 == 3 else 0)
        seen.append(counts(sqs, queue))

        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        seen.append([message["Body"] for message in received])
        seen.append(counts(sqs, queue))

        handles = [message["ReceiptHandle"] for message in received]
        for handle in handles[:4]:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)
        seen.append(error_code(lambda: sqs.delete_message(QueueUrl=queue, ReceiptHandle=handles[0])))
        seen.append(error_code(lambda: sqs.delete_message(QueueUrl=queue, ReceiptHandle="not-a-handle")))
        batch = sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": "a", "ReceiptHandle": handles[4]}, {"Id": "b", "ReceiptHandle": "not-a-handle"}],
        )
        seen.append(([entry["Id"] for entry in batch["Successful"]], [entry["Code"] for entry in batch["Failed"]]))
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=handles[5], VisibilityTimeout=0)
        seen.append(counts(sqs, queue))

        again = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        seen.append(sorted(message["Body"] for message in again))
        seen.append(counts(sqs, queue))

        short = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=short, MessageBody="old")
        sqs.send_message(QueueUrl=short, MessageBody="new")
        sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue("short")._messages[0].sent_timestamp -= 120_000
        seen.append([message["Body"] for message in sqs.receive_message(QueueUrl=short).get("Messages", [])])
        seen.append(every_kind_of_queue_attributes(sqs, queue))
    return seen


def every_kind_of_queue_attributes(sqs: Any, dead_letters: str) -> list[Any]:
    """GetQueueAttributes (All, and by name) of a standard queue with a policy and a redrive policy, a
    FIFO queue with content-based deduplication, and a queue with a KMS key."""
    arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = '{"Version": "2012-10-17", "Statement": []}'
    redrive = f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": "5"}}'
    queues = [
        sqs.create_queue(QueueName="redriven", Attributes={"Policy": policy, "RedrivePolicy": redrive}),
        sqs.create_queue(
            QueueName="ordered.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
        ),
        sqs.create_queue(QueueName="sealed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"}),
    ]
    sqs.send_message(QueueUrl=queues[1]["QueueUrl"], MessageBody="once", MessageGroupId="g")
    sqs.send_message(QueueUrl=queues[1]["QueueUrl"], MessageBody="once", MessageGroupId="g")  # deduplicated
    seen = []
    for queue in (created["QueueUrl"] for created in queues):
        every = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        every.pop("CreatedTimestamp"), every.pop("LastModifiedTimestamp"), every.pop("QueueArn")
        named = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy", "FifoQueue", "DelaySeconds"])
        seen.append((sorted(every.items()), sorted(named.get("Attributes", {}).items())))
    return seen


def test_a_script_of_queue_operations_ends_the_same_on_the_fixed_and_the_released_moto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with moto_as("fixed"):
        fixed = run_script(monkeypatch)
    with moto_as("upstream"):
        upstream = run_script(monkeypatch)

    assert fixed == upstream
    assert fixed[0] == [17, 3, 0]  # the script does reach the counts it compares
    assert fixed[3:5] == ["no error", "ReceiptHandleIsInvalid"]


def queue_of(sqs: Any, depth: int) -> str:
    queue = sqs.create_queue(QueueName="deep")["QueueUrl"]
    for start in range(0, depth, 10):
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        )
    return queue


def clock_reads_of_one_send_receive_delete(sqs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    with counting_clock_reads(monkeypatch) as reads:
        sqs.send_message(QueueUrl=queue, MessageBody="one more")
        sent = reads[0]
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        receive = reads[0] - sent
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=received[0]["ReceiptHandle"])
    return [sent, receive]


def test_a_send_and_a_receive_read_the_clock_a_bounded_number_of_times_however_deep_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with moto_as("fixed"), mocked_sqs(monkeypatch) as sqs:
        send, receive = clock_reads_of_one_send_receive_delete(sqs, queue_of(sqs, DEEP), monkeypatch)

    # Measured with 300 queued: 4 and 42 here; 1,201 and 36,598 on moto as released.
    assert send <= 10
    assert receive <= 100


class CountedMessages(list):  # type: ignore[type-arg]
    """A queue's messages, counting how many a walk over them passes."""

    passed = 0

    def __iter__(self) -> Iterator[Any]:
        for message in super().__iter__():
            CountedMessages.passed += 1
            yield message


def test_a_send_walks_none_of_the_messages_already_queued_and_a_delete_only_up_to_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    with moto_as("fixed"), mocked_sqs(monkeypatch) as sqs:
        queue = queue_of(sqs, DEEP)
        backend_queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue("deep")
        backend_queue._messages = CountedMessages(backend_queue._messages)
        CountedMessages.passed = 0
        sqs.send_message(QueueUrl=queue, MessageBody="one more")
        assert CountedMessages.passed == 0
        assert counts(sqs, queue) == [DEEP + 1, 0, 0]  # the counts themselves still walk, when asked

        oldest = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"][0]
        CountedMessages.passed = 0
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=oldest["ReceiptHandle"])
        assert CountedMessages.passed <= 1  # a delete walks as far as its message: here the first


def test_released_moto_still_walks_the_queue_on_every_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tells us when moto as released no longer needs sqs_queues.py."""
    import moto

    with moto_as("upstream"), mocked_sqs(monkeypatch) as sqs:
        queue = queue_of(sqs, DEEP // 3)  # released moto builds a queue in quadratic time: keep it short
        with counting_clock_reads(monkeypatch) as reads:
            sqs.send_message(QueueUrl=queue, MessageBody="one more")

    assert reads[0] >= DEEP // 3, (
        f"moto {moto.__version__} no longer walks a queue on every SendMessage: remove infra/moto_fixes/sqs_queues.py"
    )
