"""The local stack's AWS endpoint as a client meets it: S3's wire details kept, and a stop that frees the port.

Each test starts its own endpoint (port 0) beside the package's stack: moto's state is one per process,
so the names here are this file's own.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest

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


def _s3(endpoint: MotoEndpoint):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


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


def test_stop_closes_the_port() -> None:
    server = MotoEndpoint("127.0.0.1", 0)
    server.start()
    port = server.port
    _s3(server).list_buckets()
    server.stop()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
