"""infra/moto_fixes/dynamodb_items.py: an item holds its key values once, and every answer is what
moto as released gives."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.moto_fixes.conftest import COUNTERS, REQUESTS, mocked_dynamodb, moto_as
from tests.integration.moto_fixes.probes import (
    answers_on_fixed_and_upstream,
    bytes_kept_each,
    cost_without_and_with,
    stored_item,
)


def _scenario(client: Any) -> list[Any]:
    """Puts, an overwrite, updates (of a stored item and of a new one), a transaction, a refused
    change of a key; then everything read back, as a client sees it."""
    answers: list[Any] = []
    for n in range(3):
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": f"R#{n}"}, "sk": {"S": "REQUEST"}, "n": {"N": str(n)}})
    client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}, "n": {"N": "10"}})
    for sk in ("VIEW#open", "EVENT#2", "VIEW#open"):  # more items of a partition, one written twice
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": sk}, "v": {"S": sk.lower()}})
    client.update_item(
        TableName=REQUESTS,
        Key={"pk": {"S": "R#2"}, "sk": {"S": "REQUEST"}},
        UpdateExpression="SET queue_status = :s, queue_order = :o ADD n :one",
        ExpressionAttributeValues={":s": {"S": "queued"}, ":o": {"S": "1#2"}, ":one": {"N": "1"}},
    )
    client.update_item(
        TableName=COUNTERS, Key={"pk": {"S": "C#new"}}, UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )  # fmt: skip
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": REQUESTS, "Item": {"pk": {"S": "R#3"}, "sk": {"S": "EVENT#1"}}}},
            {"Delete": {"TableName": REQUESTS, "Key": {"pk": {"S": "R#0"}, "sk": {"S": "REQUEST"}}}},
        ]
    )
    try:
        client.update_item(
            TableName=REQUESTS, Key={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}},
            UpdateExpression="SET pk = :p", ExpressionAttributeValues={":p": {"S": "R#9"}},
        )  # fmt: skip
    except ClientError as error:
        answers.append(error.response["Error"]["Code"])
    answers.append(sorted(str(item) for item in client.scan(TableName=REQUESTS)["Items"]))
    answers.append(client.scan(TableName=COUNTERS)["Items"])
    answers.append(
        client.query(
            TableName=REQUESTS, IndexName="queue", KeyConditionExpression="queue_status = :s",
            ExpressionAttributeValues={":s": {"S": "queued"}},
        )["Items"]
    )  # fmt: skip
    answers.append(client.get_item(TableName=REQUESTS, Key={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}})["Item"])
    answers.append(
        client.query(
            TableName=REQUESTS, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "R#1"}}
        )["Items"]
    )
    return answers


def test_answers_are_the_same_on_the_fixed_and_the_released_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed, upstream = answers_on_fixed_and_upstream(_scenario, monkeypatch)

    assert fixed == upstream
    assert fixed[0] == "ValidationException"  # a key is never changed, so sharing it is safe


def test_an_item_holds_its_key_values_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}})
        client.put_item(TableName=COUNTERS, Item={"pk": {"S": "C#1"}, "hits": {"N": "1"}})
        item, counter = stored_item(REQUESTS, "R#1", "REQUEST"), stored_item(COUNTERS, "C#1")

    assert item.attrs["pk"] is item.hash_key and item.attrs["sk"] is item.range_key
    assert counter.attrs["pk"] is counter.hash_key


def test_the_items_of_a_partition_hold_one_hash_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        for sk in ("REQUEST", "EVENT#1", "VIEW#open"):
            client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": sk}})
        client.delete_item(TableName=REQUESTS, Key={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}})
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": "NOTE#1"}})
        items = list(stored_item(REQUESTS, "R#1").values())

    assert len(items) == 3 and len({id(item.hash_key) for item in items}) == 1
    assert all(item.attrs["pk"] is item.hash_key for item in items)


def _bytes_per_item(count: int = 3000) -> float:
    """Memory a two-key item with two more attributes keeps, stored straight into a table of moto's
    (no stream, no request parsing: the item alone)."""
    from moto.dynamodb.models.table import Table

    table = Table(
        "items", account_id="123456789012", region="us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
    )  # fmt: skip
    return bytes_kept_each(
        count,
        lambda n: table.put_item(
            {"pk": {"S": f"SEARCH#{n % 300}"}, "sk": {"S": f"R#{n:05}"}, "status": {"S": "queued"}, "n": {"N": "3"}}
        ),
    )


def test_a_small_item_costs_less_memory_than_without_the_fix() -> None:
    from infra.moto_fixes import dynamodb_items

    without, fixed = cost_without_and_with(dynamodb_items, _bytes_per_item)

    # Measured here: 1,111-1,160 bytes without, 1,033 with the keys shared with the attributes; 1,075
    # without, 766 with the hash key shared in each partition too (and the cheaper instance tracker).
    assert fixed < 0.8 * without, f"{fixed:.0f} bytes an item with the fix, {without:.0f} without"
