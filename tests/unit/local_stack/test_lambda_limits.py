"""Timeout and MemorySize in the local runtime: the caller sees a timeout as Lambda's caller does,
an abandoned handler cannot touch a later outcome, and every invocation reports its memory."""

import logging
import re
import threading
from pathlib import Path

import pytest

from infra.local.invocation import current_function
from infra.local.lambda_runtime import FunctionSpec, FunctionTimedOut, LocalFunction
from infra.local.memory import MemoryUse
from infra.local.pollers import ScheduleTicker
from tests.support.waiting import wait_for


def spec(timeout_seconds=1, memory_mb=256):
    return FunctionSpec("SlowFunction", "lstest-slow", "m.h", {}, memory_mb, timeout_seconds)


class Gate:
    """A handler that waits until released: no sleeps to tune."""

    def __init__(self):
        self.release = threading.Event()
        self.finished = threading.Event()

    def handler(self, event, context):
        try:
            if event.get("wait"):
                assert self.release.wait(10), "never released"
                if event.get("raise"):
                    raise RuntimeError("late failure")
            return event["answer"]
        finally:
            self.finished.set()


def test_a_handler_past_its_timeout_fails_for_its_caller_as_lambda_reports_it(caplog):
    caplog.set_level(logging.DEBUG, logger="infra.local.lambda_runtime")
    gate = Gate()
    function = LocalFunction(spec(), gate.handler)

    with pytest.raises(FunctionTimedOut, match="SlowFunction timed out after 1 s"):
        function.invoke({"wait": True, "answer": "late"})
    gate.release.set()

    assert re.search(r"SlowFunction: RequestId: \S+ Task timed out after 1\.00 seconds", caplog.text)
    assert re.search(r"REPORT RequestId: \S+ Duration: [\d.]+ ms .* Status: timeout", caplog.text)


@pytest.mark.parametrize("late_outcome", [{"answer": "late"}, {"raise": True, "answer": None}])
def test_an_abandoned_handlers_late_outcome_is_dropped_and_never_reaches_a_later_invocation(caplog, late_outcome):
    gate = Gate()
    function = LocalFunction(spec(), gate.handler)
    with pytest.raises(FunctionTimedOut):
        function.invoke({"wait": True, **late_outcome})

    gate.release.set()  # the abandoned thread finishes now, while the next invocation runs
    assert function.invoke({"answer": "second"}) == "second"
    assert gate.finished.wait(10)
    assert function.invoke({"answer": "third"}) == "third"

    # Logged by the abandoned thread just after its handler returns: waited for, not raced.
    late = r"SlowFunction: RequestId: \S+ finished [\d.]+ s after its timeout; its (result|error) is discarded"
    assert wait_for(lambda: re.search(late, caplog.text), timeout=10)


def test_the_handler_runs_in_a_thread_of_its_own_as_its_function():
    seen = {}

    def handler(event, context):
        seen["function"] = current_function()
        seen["thread"] = threading.current_thread()
        seen["remaining"] = context.get_remaining_time_in_millis()

    LocalFunction(spec(timeout_seconds=3), handler).invoke({})

    assert seen["function"] == "SlowFunction"
    assert seen["thread"] is not threading.current_thread()
    assert 0 < seen["remaining"] <= 3000
    assert current_function() is None  # the caller's thread is not the function


def test_a_handlers_error_reaches_its_caller():
    def handler(event, context):
        raise ValueError("bad event")

    with pytest.raises(ValueError, match="bad event"):
        LocalFunction(spec(), handler).invoke({})


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="peak RSS is reset through Linux's /proc")
def test_each_invocation_logs_a_report_line_with_the_memory_it_used(caplog):
    caplog.set_level(logging.DEBUG, logger="infra.local.lambda_runtime")

    def handler(event, context):
        block = b"x" * (64 * 1024 * 1024)  # written, so every page is resident
        return len(block)

    LocalFunction(spec(memory_mb=4096), handler).invoke({})

    (report,) = [r for r in caplog.records if "REPORT" in r.getMessage()]
    assert report.levelno == logging.DEBUG
    fields = re.fullmatch(
        r"SlowFunction: REPORT RequestId: [0-9a-f-]{36} Duration: [\d.]+ ms Billed Duration: \d+ ms "
        r"Memory Size: 4096 MB Max Memory Used: (\d+) MB \(local estimate: (\d+) MB at load \+ (\d+) MB grown while it ran\)",
        report.getMessage(),
    )
    assert fields, report.getMessage()
    max_used, at_load, grown = map(int, fields.groups())
    assert grown >= 64
    assert max_used == at_load + grown


class FixedWatch:
    def __init__(self, use):
        self.use = use

    def stop(self):
        return self.use


@pytest.mark.parametrize(("use", "warned"), [(MemoryUse(100, 28), False), (MemoryUse(100, 29), True)])
def test_a_warning_when_the_memory_used_passes_memory_size(caplog, use, warned):
    function = LocalFunction(spec(memory_mb=128), lambda event, context: None, memory_watch=lambda: FixedWatch(use))

    function.invoke({})

    # This function's own lines only: a stack another test left running must not decide this one.
    warnings = [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "SlowFunction" in r.getMessage()
    ]
    assert bool(warnings) is warned
    if warned:
        assert "Max Memory Used 129 MB is over its MemorySize 128 MB" in warnings[0]
        assert '"Runtime exited with error: signal: killed"' in warnings[0]


def test_a_scheduled_tick_past_its_timeout_counts_as_failed(caplog):
    gate = Gate()
    ticker = ScheduleTicker(
        function=LocalFunction(spec(), gate.handler),
        rule_arn="arn:aws:events:us-east-1:123456789012:rule/sweep",
        source="aws.events",
        interval_seconds=60,
        payload={"wait": True, "answer": None},
        stopping=threading.Event(),
        name="SlowFunction.Sweep",
    )

    ticker.tick()
    gate.release.set()

    assert "SlowFunction.Sweep: SlowFunction timed out; this tick failed" in caplog.text


def test_an_abandoned_handler_makes_no_aws_call_after_its_timeout(monkeypatch):
    """Lambda stops the sandbox at the Timeout: a late SendEmail here would duplicate the retry's."""
    import boto3
    from moto import mock_aws

    from infra.local.invocation import InvocationStopped, refuse_calls_of_stopped_invocations

    refuse_calls_of_stopped_invocations()
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }.items():
        monkeypatch.setenv(name, value)
    gate, calls = Gate(), {}

    with mock_aws():
        sqs = boto3.session.Session().client("sqs")

        def handler(event, context):
            calls["before"] = sqs.create_queue(QueueName="within-its-time")["QueueUrl"]
            assert gate.release.wait(10)
            try:
                sqs.create_queue(QueueName="after-its-timeout")
            except InvocationStopped as exc:
                calls["after"] = str(exc)
            finally:
                gate.finished.set()

        with pytest.raises(FunctionTimedOut):
            LocalFunction(spec(), handler).invoke({})
        gate.release.set()
        assert gate.finished.wait(10)
        queues = sqs.list_queues()["QueueUrls"]  # outside any invocation: made

    assert queues == [calls["before"]]
    assert "SlowFunction ran past its Timeout" in calls["after"] and "sqs.CreateQueue" in calls["after"]
