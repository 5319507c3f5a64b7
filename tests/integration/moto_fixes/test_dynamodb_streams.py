"""infra/moto_fixes/dynamodb_streams: a stream read to its end keeps no iterator behind, and reads the
same records as moto as released."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.moto_fixes.conftest import REQUESTS, mocked_dynamodb, moto_as


def _streams_backend() -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def read_stream(client: Any, writes: int, polls: int) -> tuple[list[str], int]:
    """Write ``writes`` items, then poll the stream ``polls`` times as a reader does; returns the keys
    read and how many iterators moto still holds. (moto's backend directly: in-process, moto routes a
    DynamoDB Streams client's calls to DynamoDB; the local stack's server routes them right.)"""
    for index in range(writes):
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": f"k{index}"}, "sk": {"S": "s"}})
    backend = _streams_backend()
    arn = client.describe_table(TableName=REQUESTS)["Table"]["LatestStreamArn"]
    shard = backend.describe_stream(arn)["Shards"][0]["ShardId"]
    iterator = backend.get_shard_iterator(arn, shard, "TRIM_HORIZON").arn
    keys: list[str] = []
    for _ in range(polls):
        answer = backend.get_records(iterator, 3)
        keys += [record["dynamodb"]["Keys"]["pk"]["S"] for record in answer["Records"]]
        iterator = answer["NextShardIterator"]
    return keys, len(backend.shard_iterators)


def test_reading_a_stream_keeps_only_the_next_iterator(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        keys, kept = read_stream(client, writes=7, polls=50)

    assert keys == [f"k{index}" for index in range(7)]
    assert kept == 1  # the NextShardIterator of the last answer


def test_released_moto_reads_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        keys, _ = read_stream(client, writes=7, polls=50)

    assert keys == [f"k{index}" for index in range(7)]
