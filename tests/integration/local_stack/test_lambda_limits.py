"""The template's Timeout, MemorySize and ScalingConfig.MaximumConcurrency, honoured by the local stack."""

import logging
import re
import sys

import pytest

from tests.support.waiting import wait_for


@pytest.fixture
def limits(stack):
    return sys.modules["lstest_handlers.limits"]  # the handler module the stack imported


def test_an_http_route_past_its_timeout_answers_503_as_api_gateway_does(http, caplog):
    caplog.set_level(logging.INFO, logger="infra.local")

    response = http("GET", "/slow?seconds=3")

    assert response.status == 503
    assert response.json() == {"message": "Service Unavailable"}
    assert response.headers["apigw-requestid"]
    assert re.search(r"SlowFunction: RequestId: \S+ Task timed out after 1\.00 seconds", caplog.text)


def test_an_http_route_within_its_timeout_answers(http):
    assert http("GET", "/slow?seconds=0").body == b"done"


def test_a_batch_past_its_timeout_is_redelivered_after_the_visibility_timeout_then_dead_lettered(stack, limits):
    sqs = stack.aws("sqs")
    limits.slow_calls.clear()
    sqs.send_message(QueueUrl=stack.resource("SlowQueue"), MessageBody="1.5")  # Timeout is 1 s

    dead_letters = wait_for(lambda: sqs.receive_message(QueueUrl=stack.resource("SlowDeadLetterQueue")).get("Messages"))

    # Received twice (maxReceiveCount 2), never deleted although the handler did finish each time.
    assert limits.slow_calls == ["1", "2"]
    assert [message["Body"] for message in dead_letters] == ["1.5"]


def test_the_pollers_never_run_more_invocations_than_maximum_concurrency(stack, limits):
    sqs = stack.aws("sqs")
    bodies = [str(number) for number in range(12)]
    for start in range(0, len(bodies), 10):
        entries = [{"Id": body, "MessageBody": body} for body in bodies[start : start + 10]]
        sqs.send_message_batch(QueueUrl=stack.resource("CappedQueue"), Entries=entries)

    wait_for(lambda: len(limits.concurrency["records"]) >= len(bodies))

    assert sorted(limits.concurrency["records"], key=int) == bodies
    assert limits.concurrency["most"] <= 2  # ScalingConfig: {MaximumConcurrency: 2}


def test_each_invocation_reports_its_memory_and_warns_past_memory_size(http, caplog):
    caplog.set_level(logging.DEBUG, logger="infra.local.lambda_runtime")

    assert http("GET", "/hungry").status == 200

    (report,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("HungryFunction: REPORT")]
    fields = re.search(
        r"Duration: [\d.]+ ms Billed Duration: \d+ ms Memory Size: 128 MB Max Memory Used: (\d+) MB "
        r"\(local estimate: (\d+) MB at load \+ (\d+) MB grown while it ran\)",
        report,
    )
    assert fields, report
    max_used, at_load, grown = map(int, fields.groups())
    assert grown >= 64  # the handler wrote 64 MiB
    assert max_used == at_load + grown
    assert any(
        r.levelno == logging.WARNING and "HungryFunction" in r.getMessage() and "signal: killed" in r.getMessage()
        for r in caplog.records
    )
