"""The local stack's AWS endpoint as a client meets it: S3's wire details kept, a request its caller gave up
on while it waited for moto not made, and a stop that frees the port.

Each test starts its own endpoint (port 0) beside the package's stack: moto's state is one per process,
so the names here are this file's own.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from infra.local.moto_endpoint import MotoEndpoint

BUCKET = "corrigo-endpoint-test"


@pytest.fixture
def endpoint() -> Iterator[MotoEndpoint]:
    server = MotoEndpoint("127.0.0.1", 0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(endpoint: MotoEndpoint, service: str, **config: Any):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(**config),
    )


def _s3(endpoint: MotoEndpoint):  # type: ignore[no-untyped-def]
    return _client(endpoint, "s3")


def test_s3_keys_and_metadata_round_trip_as_sent(endpoint: MotoEndpoint) -> None:
    """S3 routes by the raw path and returns metadata keys as written: a server that decodes the path
    or re-cases header names (waitress does) changes which object is read, or what its metadata says."""
    s3 = _s3(endpoint)
    s3.create_bucket(Bucket=BUCKET)
    key = "raw/2026/a b+c%2Fd/邮件.eml"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"mail", Metadata={"declared-type": "message/rfc822", "a": "b"})
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["Body"].read() == b"mail"
    assert got["Metadata"] == {"declared-type": "message/rfc822", "a": "b"}
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [key]


def test_a_request_given_up_while_it_waited_for_moto_is_not_made(
    endpoint: MotoEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    """A send tried once and given up (adapters.mailer) must not be made later behind its caller's
    back: its retry would make it a second time. A caller that waits gets its answer as ever."""
    sqs = _client(endpoint, "sqs")
    queue = sqs.create_queue(QueueName="corrigo-endpoint-test-given-up")["QueueUrl"]
    impatient = _client(endpoint, "sqs", read_timeout=0.5, retries={"mode": "standard", "total_max_attempts": 1})

    with caplog.at_level(logging.WARNING, logger="infra.local.moto_endpoint"):
        with endpoint.app.serialised(), pytest.raises(ReadTimeoutError):  # moto busy with another request
            impatient.send_message(QueueUrl=queue, MessageBody="given up")
        sqs.send_message(QueueUrl=queue, MessageBody="waited for")  # before or after the given-up one's turn
        for _ in range(100):  # the given-up one's thread may take the lock last
            if "its caller gave up while it waited for moto" in caplog.text:
                break
            time.sleep(0.05)

    assert "POST / AmazonSQS.SendMessage: its caller gave up while it waited for moto; not made" in caplog.text
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["waited for"]


def test_stop_closes_the_port() -> None:
    server = MotoEndpoint("127.0.0.1", 0)
    server.start()
    port = server.port
    _s3(server).list_buckets()
    server.stop()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
