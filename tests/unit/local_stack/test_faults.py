"""The fault switches (infra/local/faults.py), fed with the requests botocore really makes.

Each call goes through a real boto3 client whose `before-send` hands the request to the switches
instead of the network: a refusal comes back to botocore as AWS's answer would (and is parsed by it
into the ClientError the adapters see); a call let through stops with `LetThrough`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from werkzeug.test import EnvironBuilder

from infra.local.faults import FaultRequestError, FaultSwitches, HousekeepingClients, faults_route, parse_switches
from infra.local.gateway import IncomingRequest

ENDPOINT = "http://127.0.0.1:9"  # never reached


class LetThrough(Exception):
    """The switches let the call go on to moto."""


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body


def environ_of(request: Any) -> dict[str, Any]:
    url = urlsplit(request.url)
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    headers = {name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()}
    builder = EnvironBuilder(method=request.method, path=url.path, query_string=url.query, headers=headers, data=body)
    return builder.get_environ()


def through(switches: FaultSwitches, client: Any) -> Any:
    def send(request: Any, **_: Any) -> AWSResponse:
        refusal = switches.refusal(environ_of(request))
        if refusal is None:
            raise LetThrough
        return AWSResponse(request.url, refusal.status, dict(refusal.headers), _Raw(refusal.body))

    client.meta.events.register_last("before-send", send)  # after any handler that changes the request
    return client


def client(switches: FaultSwitches, service: str) -> Any:
    made = boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    return through(switches, made)


def refused(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


# One cheap call per switch (and SES v1 beside v2), written apart from the module's table.
CALLS = {
    "sesv2": ("ses", lambda c: c.get_account()),
    "ses": ("ses", lambda c: c.list_identities()),
    "sqs": ("sqs", lambda c: c.list_queues()),
    "dynamodb": ("dynamodb", lambda c: c.list_tables()),
    "s3": ("s3", lambda c: c.list_buckets()),
    "events": ("events", lambda c: c.list_event_buses()),
}
EXPECTED = {
    ("sesv2", "outage"): ("ServiceUnavailable", 503),
    ("sesv2", "throttle"): ("TooManyRequestsException", 429),
    ("sesv2", "reject"): ("MessageRejected", 400),
    ("ses", "outage"): ("ServiceUnavailable", 503),
    ("ses", "throttle"): ("Throttling", 400),
    ("ses", "reject"): ("MessageRejected", 400),
    ("sqs", "outage"): ("ServiceUnavailable", 503),
    ("sqs", "throttle"): ("RequestThrottled", 400),
    ("sqs", "reject"): ("AccessDenied", 403),
    ("dynamodb", "outage"): ("ServiceUnavailable", 503),
    ("dynamodb", "throttle"): ("ProvisionedThroughputExceededException", 400),
    ("dynamodb", "reject"): ("AccessDeniedException", 400),
    ("s3", "outage"): ("ServiceUnavailable", 503),
    ("s3", "throttle"): ("SlowDown", 503),
    ("s3", "reject"): ("AccessDenied", 403),
    ("events", "outage"): ("ServiceUnavailable", 503),
    ("events", "throttle"): ("ThrottlingException", 400),
    ("events", "reject"): ("AccessDeniedException", 400),
}


@pytest.mark.parametrize(("service", "mode"), sorted(EXPECTED))
def test_each_mode_answers_with_the_services_own_error(service: str, mode: str) -> None:
    switch, call = CALLS[service]
    switches = FaultSwitches()
    switches.update({switch: mode})
    assert refused(lambda: call(client(switches, service))) == EXPECTED[(service, mode)]


@pytest.mark.parametrize("service", sorted(CALLS))
def test_other_services_and_switched_off_ones_are_let_through(service: str) -> None:
    switch, call = CALLS[service]
    switches = FaultSwitches()
    switches.update({other: "outage" for other in ("ses", "sqs", "dynamodb", "s3", "events") if other != switch})
    with pytest.raises(LetThrough):
        call(client(switches, service))
    switches.update({switch: "outage"})
    switches.update({switch: None})
    with pytest.raises(LetThrough):
        call(client(switches, service))


def test_a_switch_with_operations_fails_only_those() -> None:
    switches = FaultSwitches()
    switches.update({"ses": {"mode": "reject", "operations": ["SendEmail", "SendRawEmail"]}})
    sesv2, ses = client(switches, "sesv2"), client(switches, "ses")
    send = {"FromEmailAddress": "a@news.test", "Destination": {"ToAddresses": ["b@x.test"]}}
    content = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}}
    assert refused(lambda: sesv2.send_email(**send, Content=content)) == ("MessageRejected", 400)
    assert refused(lambda: ses.send_raw_email(RawMessage={"Data": b"x"})) == ("MessageRejected", 400)
    with pytest.raises(LetThrough):
        sesv2.get_account()
    with pytest.raises(LetThrough):
        ses.list_identities()


def test_s3_operations_that_share_a_route_are_told_apart() -> None:
    switches = FaultSwitches()
    switches.update({"s3": {"mode": "throttle", "operations": ["PutObject"]}})
    s3 = client(switches, "s3")
    assert refused(lambda: s3.put_object(Bucket="b", Key="k/x.eml", Body=b"x")) == ("SlowDown", 503)
    with pytest.raises(LetThrough):
        s3.copy_object(Bucket="b", Key="k2", CopySource={"Bucket": "b", "Key": "k"})
    with pytest.raises(LetThrough):
        s3.upload_part(Bucket="b", Key="k", PartNumber=1, UploadId="u", Body=b"x")
    with pytest.raises(LetThrough):
        s3.get_object(Bucket="b", Key="k")


@pytest.mark.parametrize("signature_version", ["s3", "s3v4"])
def test_a_presigned_url_is_failed_like_a_signed_call(signature_version: str) -> None:
    switches = FaultSwitches()
    switches.update({"s3": "reject"})
    url = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="l",
        aws_secret_access_key="l",
        config=Config(signature_version=signature_version),
    ).generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    split = urlsplit(url)
    environ = EnvironBuilder(method="GET", path=split.path, query_string=split.query).get_environ()
    refusal = switches.refusal(environ)
    assert refusal is not None and refusal.status == 403 and b"<Code>AccessDenied</Code>" in refusal.body


def test_dynamodb_streams_is_not_the_dynamodb_switch() -> None:
    switches = FaultSwitches()
    switches.update({"dynamodb": "outage"})
    with pytest.raises(LetThrough):
        client(switches, "dynamodbstreams").list_streams()


def test_the_stacks_own_clients_are_let_through() -> None:
    switches = FaultSwitches()
    switches.update({"sqs": "outage", "s3": "reject"})
    housekeeping = HousekeepingClients(ENDPOINT)
    for service, call in (("sqs", lambda c: c.list_queues()), ("s3", lambda c: c.list_buckets())):
        with pytest.raises(LetThrough):
            call(through(switches, housekeeping(service)))


def test_state_shows_every_switch_and_an_update_changes_only_the_named_ones() -> None:
    switches = FaultSwitches()
    assert switches.state() == {"ses": None, "sqs": None, "dynamodb": None, "s3": None, "events": None}
    switches.update({"ses": "outage", "s3": {"mode": "throttle", "operations": ["PutObject"]}})
    switches.update({"sqs": "reject"})
    switches.update({"ses": None})
    assert switches.state() == {
        "ses": None,
        "sqs": "reject",
        "dynamodb": None,
        "s3": {"mode": "throttle", "operations": ["PutObject"]},
        "events": None,
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sns": "outage"}, "sns"),
        ({"ses": "down"}, "ses"),
        ({"ses": 1}, "ses"),
        ({"ses": {"mode": "slow", "operations": ["SendEmail"]}}, "ses.mode"),
        ({"ses": {"mode": "reject", "operations": []}}, "ses.operations"),
        ({"ses": {"mode": "reject", "operations": ["PutObject"]}}, "ses.operations"),
        ({"ses": {"mode": "reject", "operation": ["SendEmail"]}}, "ses.operation"),
        (["ses"], "body"),
    ],
)
def test_a_bad_switch_names_its_field(payload: Any, field: str) -> None:
    with pytest.raises(FaultRequestError) as caught:
        parse_switches(payload)
    assert caught.value.field == field


def test_a_bad_switch_changes_nothing() -> None:
    switches = FaultSwitches()
    with pytest.raises(FaultRequestError):
        switches.update({"ses": "outage", "sqs": "down"})
    assert switches.state()["ses"] is None


def local_request(method: str, body: bytes = b"") -> IncomingRequest:
    return IncomingRequest(method, "/_local/faults", "HTTP/1.1", [], body, "127.0.0.1")


def test_the_route_sets_and_shows_the_switches_and_refuses_other_methods_and_bad_json() -> None:
    route = faults_route(FaultSwitches())
    assert json.loads(route(local_request("POST", b'{"events": "throttle"}')).body)["events"] == "throttle"
    assert json.loads(route(local_request("GET")).body)["events"] == "throttle"
    assert route(local_request("PUT")).status == 405
    bad = route(local_request("POST", b"{not json"))
    assert bad.status == 400
    assert ("content-type", "application/problem+json") in bad.headers
    assert json.loads(bad.body)["errors"][0]["field"] == "body"
