"""The snapshot reads DynamoDB from moto's backend in-process: it must save what a Scan returns.

It lives outside tests/integration/local_stack: its in-process mock_aws resets moto's backends, which
that package's shared stack holds in this same process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local.persistence import Persistence, _encode_item
from infra.local.template import REGION


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def _create(client: Any, name: str, *, sort_key: bool) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "N"})
    client.create_table(
        TableName=name, KeySchema=schema, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST"
    )


def _scanned(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def _canonical(items: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(_encode_item(item).items())) for item in items)


def test_in_process_read_saves_what_a_scan_returns(dynamodb: Any) -> None:
    _create(dynamodb, "plain", sort_key=False)
    _create(dynamodb, "sorted", sort_key=True)
    every_kind = {
        "s": {"S": "é text"},
        "n": {"N": "12.50"},
        "b": {"B": b"\x00\xffbinary"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x01", b"\x02"]},
        "bool": {"BOOL": False},
        "null": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"B": b"\x03"}, {"M": {"deep": {"N": "3"}}}]},
        "m": {"M": {"inner": {"B": b"\x04"}, "list": {"L": [{"BOOL": True}]}}},
    }
    for index in range(30):
        dynamodb.put_item(TableName="plain", Item={"pk": {"S": f"p{index}"}, **every_kind})
        dynamodb.put_item(
            TableName="sorted", Item={"pk": {"S": f"p{index % 4}"}, "sk": {"N": str(index)}, **every_kind}
        )
    dynamodb.delete_item(TableName="sorted", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})

    saved = Persistence._snapshot_dynamodb()

    assert set(saved) == {"plain", "sorted"}
    for table in ("plain", "sorted"):
        assert _canonical(saved[table]) == _canonical(_scanned(dynamodb, table))
    assert len(saved["sorted"]) == 29
