"""Fault switches (infra/local/faults.py): `POST /_local/faults` makes the local AWS endpoint fail a
service's calls as AWS would, for every caller but the stack's own machinery, until switched off."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.faults import HousekeepingClients
from tests.support.faults import local_fault, set_local_faults
from tests.support.stack_process import ROOT, RunningStack, start_stack, stop_stack
from tests.support.waiting import wait_for

SAMPLE = ROOT / "schemas" / "samples" / "valid" / "correction-zh.json"
ALL_OFF = {"ses": None, "sqs": None, "dynamodb": None, "s3": None, "events": None}


def aws(aws_url: str, service: str, retries: int = 3) -> Any:
    """A client as the functions make theirs (standard mode, 3 retries), or with `retries` retries."""
    return boto3.client(
        service,
        endpoint_url=aws_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"mode": "standard", "max_attempts": retries}),
    )


def send_email(sesv2: Any, subject: str) -> dict[str, Any]:
    return dict(
        sesv2.send_email(
            FromEmailAddress="noreply@news.test",
            Destination={"ToAddresses": ["reader@example.org"]},
            Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "正文"}}}},
        )
    )


@pytest.fixture(autouse=True)
def switches_off(stack) -> Iterator[None]:
    yield
    set_local_faults(stack.http_url, ALL_OFF)  # one failed test must not fail the package's others


def test_ses_outage_fails_a_send_with_503_until_switched_off(stack, http):
    sesv2 = aws(stack.aws_url, "sesv2")
    assert http("GET", "/_local/faults").json() == ALL_OFF

    switched = http("POST", "/_local/faults", body=json.dumps({"ses": "outage"}).encode())
    assert switched.status == 200
    assert switched.json() == {**ALL_OFF, "ses": "outage"}
    assert http("GET", "/_local/faults").json() == {**ALL_OFF, "ses": "outage"}

    with pytest.raises(ClientError) as caught:
        send_email(sesv2, "故障中 during the outage")
    assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 3  # the SDK retried, then gave up

    assert http("POST", "/_local/faults", body=json.dumps({"ses": None}).encode()).json() == ALL_OFF
    assert send_email(sesv2, "恢复后 after the outage")["MessageId"]
    subjects = [mail["subject"] for mail in stack.outbox()]
    assert "恢复后 after the outage" in subjects
    assert "故障中 during the outage" not in subjects


@pytest.mark.parametrize(
    ("service", "mode", "call", "expected"),
    [
        ("ses", "throttle", lambda c: send_email(c["sesv2"], "x"), ("TooManyRequestsException", 429)),
        ("ses", "reject", lambda c: send_email(c["sesv2"], "x"), ("MessageRejected", 400)),
        ("sqs", "outage", lambda c: c["sqs"].list_queues(), ("ServiceUnavailable", 503)),
        ("sqs", "throttle", lambda c: c["sqs"].list_queues(), ("RequestThrottled", 400)),
        ("sqs", "reject", lambda c: c["sqs"].list_queues(), ("AccessDenied", 403)),
        ("dynamodb", "outage", lambda c: c["dynamodb"].list_tables(), ("ServiceUnavailable", 503)),
        (
            "dynamodb",
            "throttle",
            lambda c: c["dynamodb"].list_tables(),
            ("ProvisionedThroughputExceededException", 400),
        ),
        ("dynamodb", "reject", lambda c: c["dynamodb"].list_tables(), ("AccessDeniedException", 400)),
        ("s3", "outage", lambda c: c["s3"].list_buckets(), ("ServiceUnavailable", 503)),
        ("s3", "throttle", lambda c: c["s3"].list_buckets(), ("SlowDown", 503)),
        ("s3", "reject", lambda c: c["s3"].list_buckets(), ("AccessDenied", 403)),
        ("events", "outage", lambda c: c["events"].list_event_buses(), ("ServiceUnavailable", 503)),
        ("events", "throttle", lambda c: c["events"].list_event_buses(), ("ThrottlingException", 400)),
        ("events", "reject", lambda c: c["events"].list_event_buses(), ("AccessDeniedException", 400)),
    ],
)
def test_each_mode_answers_with_the_services_error(stack, service, mode, call, expected):
    clients = {name: aws(stack.aws_url, name, retries=0) for name in ("sesv2", "sqs", "dynamodb", "s3", "events")}
    with local_fault(stack.http_url, service, mode):
        with pytest.raises(ClientError) as caught:
            call(clients)
        error = caught.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == expected
    call(clients)  # switched off on the way out


def test_a_switch_may_fail_only_some_operations(stack):
    sesv2 = aws(stack.aws_url, "sesv2", retries=0)
    with local_fault(stack.http_url, "ses", "reject", operations=["SendEmail"]):
        assert sesv2.list_email_identities()["EmailIdentities"]
        with pytest.raises(ClientError) as caught:
            send_email(sesv2, "x")
        assert caught.value.response["Error"]["Code"] == "MessageRejected"


def test_a_functions_calls_are_failed_too(stack, http):
    subject = "被拒绝的邮件 rejected"
    with local_fault(stack.http_url, "ses", "reject"):
        sent = http(
            "POST",
            "/mail",
            body=json.dumps({"to": "reader@example.org", "subject": subject, "text": "谢谢。"}).encode(),
            headers={"Content-Type": "application/json"},
        )
    assert sent.status == 500  # the fixture's handler lets SES's ClientError out: API Gateway's 500
    assert subject not in [mail["subject"] for mail in stack.outbox()]


def test_the_stacks_pollers_are_let_through(stack):
    worker = sys.modules["lstest_handlers.worker"]  # the handler module the stack imported
    queue_url = stack.resource("WorkQueue")
    with local_fault(stack.http_url, "sqs", "outage"):
        with pytest.raises(ClientError):
            aws(stack.aws_url, "sqs", retries=0).send_message(QueueUrl=queue_url, MessageBody="refused")
        HousekeepingClients(stack.aws_url)("sqs").send_message(QueueUrl=queue_url, MessageBody="during-an-outage")
        # Lambda's event source mapping is AWS's own machinery, not SQS's caller: it still delivers.
        wait_for(lambda: any(r["body"] == "during-an-outage" for batch in worker.batches for r in batch))
    assert not [r for batch in worker.batches for r in batch if r["body"] == "refused"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sns": "outage"}, "sns"),
        ({"ses": "broken"}, "ses"),
        ({"ses": {"mode": "reject", "operations": ["NoSuchCall"]}}, "ses.operations"),
        ("not an object", "body"),
    ],
)
def test_an_unknown_service_or_mode_is_a_400_problem_naming_the_field(stack, http, body, field):
    answer = http("POST", "/_local/faults", body=json.dumps(body).encode())
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in answer.json()["errors"]] == [field]
    assert http("GET", "/_local/faults").json() == ALL_OFF


# --- The project's own stack, as `make run` starts it ---------------------------------------------


def post_request(base_url: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        base_url + "/requests",
        data=SAMPLE.read_bytes(),
        method="POST",
        headers={"content-type": "application/json", "accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def everything_stored(running: RunningStack) -> dict[str, Any]:
    """Every item, object and queued message count: what a half-done submission would change."""
    dynamodb, s3, sqs = (aws(running.aws_url, name) for name in ("dynamodb", "s3", "sqs"))
    buckets = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    attributes = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    return {
        "items": {name: dynamodb.scan(TableName=name)["Items"] for name in dynamodb.list_tables()["TableNames"]},
        "objects": {name: s3.list_objects_v2(Bucket=name).get("Contents", []) for name in buckets},
        "messages": {
            url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=attributes)["Attributes"]
            for url in sqs.list_queues().get("QueueUrls", [])
        },
    }


def test_a_submission_during_a_dynamodb_outage_is_a_clear_503_and_writes_nothing(tmp_path: Path) -> None:
    running = start_stack(extra_env={"LOCAL_STATE_DIR": str(tmp_path / "state")})
    try:
        before = everything_stored(running)
        with local_fault(running.base_url, "dynamodb", "outage"):
            status, answer = post_request(running.base_url)
        assert status == 503
        assert answer["errors"] and all(error["message"] for error in answer["errors"])
        assert everything_stored(running) == before  # nothing half-written

        status, answer = post_request(running.base_url)
        assert status == 202, answer
    finally:
        stop_stack(running)
    assert not [line for line in running.log if "Traceback" in line], "\n".join(running.log[-60:])


def test_the_switches_live_only_while_the_stack_runs(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    first = start_stack(extra_env={"LOCAL_STATE_DIR": str(state_dir)})
    try:
        set_local_faults(first.base_url, {"ses": "outage", "s3": {"mode": "reject", "operations": ["PutObject"]}})
    finally:
        stop_stack(first)  # with the switches still on
    saved = [path for path in state_dir.rglob("*") if path.is_file()]
    assert saved, "the stack saved no state: the check below would prove nothing"
    assert not [path for path in saved if path.suffix == ".json" and "outage" in path.read_text(errors="replace")]

    second = start_stack(extra_env={"LOCAL_STATE_DIR": str(state_dir)})
    try:
        assert second.get_json("/_local/faults") == ALL_OFF
    finally:
        stop_stack(second)
