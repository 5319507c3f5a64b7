"""infra/moto_fixes/dynamodb_stream_records.py: a stream record is kept packed, every GetRecords
answer is what moto as released gives, and a record costs less than half the memory."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.integration.moto_fixes.conftest import REQUESTS, mocked_dynamodb, moto_as
from tests.integration.moto_fixes.probes import bytes_kept_each, cost_without_and_with

OUTBOX_BODY = "您好，我们已收到您的更正请求，编号 CR-2026-7K3F9Q。" * 4  # an outbox message's text


def _stream_records(client: Any) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table_name = client.describe_table(TableName=REQUESTS)["Table"]["TableName"]
    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(table_name).stream_shard.items


def _read(backend: Any, arn: str, shard: str, kind: str, sequence: int | None = None, limit: int = 4) -> list[Any]:
    iterator = backend.get_shard_iterator(arn, shard, kind, sequence).arn
    pages = []
    for _ in range(4):
        answer = backend.get_records(iterator, limit)
        pages.append(answer["Records"])
        iterator = answer["NextShardIterator"]
    return pages


def _scenario(client: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Inserts (a map, a list, a binary, a number set), a modification, a removal and a transaction on a
    NEW_AND_OLD_IMAGES stream, then the stream read from each kind of iterator, and the dashboard."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodbstreams.models import dynamodbstreams_backends
    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.responses import MotoAPIResponse

    mock_random.seed(8)  # eventIDs
    monkeypatch.setattr("moto.dynamodb.models.table.utcnow", lambda: datetime(2026, 12, 2, 6, 29, 49, 627000))
    for n in range(3):
        client.put_item(
            TableName=REQUESTS,
            Item={
                "pk": {"S": f"OUTBOX#{n}"}, "sk": {"S": "MESSAGE"}, "text": {"S": OUTBOX_BODY},
                "payload": {"M": {"to": {"S": f"reader-{n}@example.com"}, "tries": {"N": "0"}}},
                "tags": {"L": [{"S": "ack"}, {"BOOL": True}, {"NULL": True}]},
                "raw": {"B": b"\x00\xffraw"}, "sizes": {"NS": ["1", "2.5"]},
            },
        )  # fmt: skip
    client.update_item(
        TableName=REQUESTS, Key={"pk": {"S": "OUTBOX#1"}, "sk": {"S": "MESSAGE"}},
        UpdateExpression="SET delivered = :t ADD payload.tries :one",
        ExpressionAttributeValues={":t": {"BOOL": True}, ":one": {"N": "1"}},
    )  # fmt: skip
    client.delete_item(TableName=REQUESTS, Key={"pk": {"S": "OUTBOX#2"}, "sk": {"S": "MESSAGE"}})
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": REQUESTS, "Item": {"pk": {"S": "OUTBOX#3"}, "sk": {"S": "MESSAGE"}}}}]
    )
    backend = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    arn = client.describe_table(TableName=REQUESTS)["Table"]["LatestStreamArn"]
    shard = backend.describe_stream(arn)["Shards"][0]["ShardId"]
    first = _stream_records(client)[0].to_json()["dynamodb"]["SequenceNumber"]
    answers: list[Any] = [
        _read(backend, arn, shard, "TRIM_HORIZON"),
        _read(backend, arn, shard, "TRIM_HORIZON", limit=1000),
        _read(backend, arn, shard, "AT_SEQUENCE_NUMBER", int(first) + 2),
        _read(backend, arn, shard, "AFTER_SEQUENCE_NUMBER", int(first)),
        _read(backend, arn, shard, "LATEST"),
    ]
    dashboard = json.loads(MotoAPIResponse().model_data(None, "", {})[2])
    # How /moto-api/data.json shows a record (the number listed is the instance tracker's business).
    answers.append(sorted({json.dumps(entry, sort_keys=True) for entry in dashboard["dynamodb"]["StreamRecord"]}))
    return answers


def test_answers_are_the_same_on_the_fixed_and_the_released_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        fixed = _scenario(client, monkeypatch)
        packed = [record.__dict__ for record in _stream_records(client)]
    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        upstream = _scenario(client, monkeypatch)

    assert fixed == upstream
    assert [len(page) for page in fixed[0]] == [4, 2, 0, 0]  # the six records, in pages of four
    assert fixed[0][0][0]["dynamodb"]["NewImage"]["raw"] == {"B": b"\x00\xffraw"}
    assert all("record" not in state for state in packed)  # they were kept packed


def test_a_record_built_while_the_fix_was_on_reads_the_same_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.moto_fixes import dynamodb_stream_records

    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "OUTBOX#1"}, "sk": {"S": "MESSAGE"}})
        record = _stream_records(client)[0]
        while_on = record.to_json()
        dynamodb_stream_records.remove()
        try:
            assert record.to_json() == while_on and record.record == while_on
        finally:
            dynamodb_stream_records.apply()
        assert record.to_json() == while_on


def _bytes_per_record(count: int = 300) -> float:
    """Memory a stream record of an outbox-sized item keeps (tracemalloc), less the item's own."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import StreamRecord, Table

    table = Table(
        "outbox", account_id="123456789012", region="us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        attr=[{"AttributeName": "pk", "AttributeType": "S"}],
        streams={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )  # fmt: skip
    items = [
        Item(
            DynamoType({"S": f"OUTBOX#{n}"}),
            None,
            {
                "pk": {"S": f"OUTBOX#{n}"},
                "text": {"S": OUTBOX_BODY},
                "kind": {"S": "acknowledgement"},
                "payload": {"M": {"to": {"S": f"reader-{n}@example.com"}, "reference": {"S": "CR-2026-7K3F9Q"}}},
                "attempts": {"N": "0"},
                "expires_at": {"N": "1796192986"},
            },
        )
        for n in range(count)
    ]
    return bytes_kept_each(count, lambda n: StreamRecord(table, "NEW_IMAGE", "INSERT", None, items[n], n))


def test_a_record_costs_less_than_half_the_memory_it_did() -> None:
    from infra.moto_fixes import dynamodb_stream_records

    without, fixed = cost_without_and_with(dynamodb_stream_records, _bytes_per_record)

    # Measured here: ~3,230 bytes a record without the fix, ~940 with it.
    assert fixed < 0.5 * without, f"{fixed:.0f} bytes a record with the fix, {without:.0f} without"
