"""The SQS event source's limits: MaximumConcurrency, BatchSize with its batching window, and a
timed-out batch left to the queue's visibility timeout (an in-memory queue stands in for moto)."""

import threading
import time

import pytest

from infra.local.lambda_runtime import FunctionSpec, LocalFunction
from infra.local.pollers import QueueActivity, SqsEventSource
from tests.support.waiting import wait_for

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:work"


class FakeQueue:
    """ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibilityBatch over a list, thread-safe."""

    def __init__(self, activity):
        self._lock = threading.Lock()
        self._activity = activity
        self.visible = []
        self.in_flight = {}
        self.deleted = []
        self.made_visible = []
        self.receives = 0
        self.on_receive = None

    def send(self, *bodies):
        with self._lock:
            for body in bodies:
                number = len(self.visible) + len(self.in_flight) + len(self.deleted)
                self.visible.append({"MessageId": f"m{number}-{body}", "Body": body, "Attributes": {}})
        self._activity.notify()

    def receive_message(self, QueueUrl, MaxNumberOfMessages, **_):
        with self._lock:
            self.receives += 1
            taken, self.visible = self.visible[:MaxNumberOfMessages], self.visible[MaxNumberOfMessages:]
            for message in taken:
                message["ReceiptHandle"] = f"rh-{message['MessageId']}"
                self.in_flight[message["ReceiptHandle"]] = message
        if taken and self.on_receive:
            self.on_receive()
        return {"Messages": taken}

    def delete_message_batch(self, QueueUrl, Entries):
        with self._lock:
            self.deleted.extend(self.in_flight.pop(entry["ReceiptHandle"])["Body"] for entry in Entries)

    def change_message_visibility_batch(self, QueueUrl, Entries):
        with self._lock:
            self.made_visible.extend(self.in_flight[entry["ReceiptHandle"]]["Body"] for entry in Entries)


@pytest.fixture
def running():
    """start(handler, **source options) -> (queue, source); the source is stopped after the test."""
    stopping = threading.Event()
    activity = QueueActivity()
    sources = []

    def start(handler, *, timeout_seconds=10, **options):
        queue = FakeQueue(activity)
        function = LocalFunction(FunctionSpec("Worker", "worker", "m.h", {}, 256, timeout_seconds), handler)
        options.setdefault("batch_size", 1)
        source = SqsEventSource(
            function=function,
            sqs=queue,
            queue_url="https://queue.invalid/work",
            queue_arn=QUEUE_ARN,
            report_batch_item_failures=True,
            stopping=stopping,
            activity=activity,
            retry_after_seconds=1,
            name="Worker.Work",
            **options,
        )
        sources.append(source)
        return queue, source

    yield start
    stopping.set()
    activity.notify()
    for source in sources:
        if source.ident is not None:
            source.join(10)


def test_a_burst_never_runs_more_invocations_than_maximum_concurrency(running):
    lock = threading.Lock()
    active = {"now": 0, "most": 0}

    def handler(event, context):
        with lock:
            active["now"] += 1
            active["most"] = max(active["most"], active["now"])
        time.sleep(0.05)  # long enough to overlap with the next batches when the cap allows it
        with lock:
            active["now"] -= 1

    queue, source = running(handler, max_concurrency=3)
    queue.send(*(str(number) for number in range(40)))
    source.start()

    wait_for(lambda: len(queue.deleted) == 40)
    assert active["most"] == 3  # reached, never passed


def test_without_scaling_config_the_local_default_applies(running):
    _, source = running(lambda event, context: None, max_concurrency=None)
    assert source.max_concurrency == 5


def test_the_batching_window_gathers_records_until_the_batch_is_full(running):
    batches = []
    queue, source = running(lambda event, context: batches.append(event["Records"]), batch_size=3,
                            batching_window_seconds=60)  # fmt: skip
    queue.on_receive = lambda: (setattr(queue, "on_receive", None), queue.send("b", "c"))
    queue.send("a")
    source.start()

    wait_for(lambda: len(queue.deleted) == 3, timeout=15)  # a full batch goes at once, not after the window
    assert [[record["body"] for record in batch] for batch in batches] == [["a", "b", "c"]]


def test_when_the_window_ends_the_records_gathered_so_far_go(running):
    batches = []
    queue, source = running(lambda event, context: batches.append(event["Records"]), batch_size=3,
                            batching_window_seconds=0.2)  # fmt: skip
    queue.send("a")
    source.start()

    wait_for(lambda: len(queue.deleted) == 1)
    assert [[record["body"] for record in batch] for batch in batches] == [["a"]]


def test_without_a_window_a_batch_is_what_one_receive_found(running):
    batches = []
    queue, source = running(lambda event, context: batches.append(event["Records"]), batch_size=3)
    queue.send("a")
    source.start()

    wait_for(lambda: len(queue.deleted) == 1)
    assert [[record["body"] for record in batch] for batch in batches] == [["a"]]


def test_a_timed_out_batch_is_neither_deleted_nor_hurried_back(running, caplog):
    release = threading.Event()
    queue, source = running(lambda event, context: release.wait(10), timeout_seconds=1, batch_size=2)
    queue.send("a", "b")
    source.start()

    wait_for(lambda: "2 messages left for the queue's visibility timeout" in caplog.text)
    release.set()

    # Both records stay in flight: the queue's visibility timeout brings them back, as in AWS.
    assert queue.deleted == [] and queue.made_visible == []
    assert len(queue.in_flight) == 2


def test_a_failed_batch_comes_back_soon_and_succeeded_records_are_deleted(running):
    def handler(event, context):
        return {
            "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]
        }

    queue, source = running(handler, batch_size=2)
    queue.send("good", "bad")
    source.start()

    wait_for(lambda: queue.deleted and queue.made_visible)
    assert (queue.deleted, queue.made_visible) == (["good"], ["bad"])
