"""In-process moto, with the project's fixes (infra/moto_fixes) or as released, and two small tables.

`requests` is shaped like the service's table (pk, sk, the `queue` GSI, an LSI), with a stream;
`counters` has a hash key only, like the rate-limit table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from infra import moto_fixes

REQUESTS, COUNTERS = "requests", "counters"


@contextmanager
def moto_as(variant: str) -> Iterator[None]:
    """`fixed`: with the project's fixes; `upstream`: moto as released. The fixes' state is kept after."""
    if variant == "upstream":
        with moto_fixes.upstream_moto():
            yield
        return
    was_applied = moto_fixes.is_applied()
    moto_fixes.apply()
    try:
        yield
    finally:
        if not was_applied:
            moto_fixes.remove()


@contextmanager
def mocked_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A DynamoDB client on a fresh in-process moto holding the two tables."""
    import boto3
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("dynamodb")
        string = "S"
        client.create_table(
            TableName=REQUESTS,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": string}
                for name in ("pk", "sk", "queue_status", "queue_order", "received_at")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "queue",
                    "KeySchema": [
                        {"AttributeName": "queue_status", "KeyType": "HASH"},
                        {"AttributeName": "queue_order", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by_received",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "received_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName=COUNTERS,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": string}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


@pytest.fixture(params=["fixed", "upstream"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Each test that takes it runs twice: on the fixed moto and on moto as released, same assertions."""
    with moto_as(request.param), mocked_dynamodb(monkeypatch) as client:
        yield client


@pytest.fixture
def fixed_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        yield client
