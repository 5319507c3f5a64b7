"""Tells us when moto as released no longer needs a fix of infra/moto_fixes: the same scenarios as
test_leaks.py, run on moto without the fixes, in this same session. While these pass, the fixes
are needed; when one fails, its message names the module to delete."""

from __future__ import annotations

import pytest

from tests.integration.moto_fixes.conftest import REQUESTS, mocked_dynamodb, moto_as
from tests.integration.moto_fixes.probes import alive, counting_built, fill, submit_by_transaction


def released() -> str:
    import moto

    return f"moto {moto.__version__}"


def test_released_moto_still_copies_tables_on_transact_write_items(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        from moto.dynamodb.models.table import Table

        fill(client, 20)
        with counting_built(Table, monkeypatch) as tables:
            for index in range(5):
                submit_by_transaction(client, index)

    assert tables.count >= 5, (
        f"{released()} no longer copies tables on transact_write_items: "
        "remove infra/moto_fixes/dynamodb_transactions.py"
    )


def test_released_moto_still_keeps_every_model_object_it_built(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        from moto.dynamodb.models.dynamo_type import Item

        fill(client, 20)
        for _ in range(5):
            client.scan(TableName=REQUESTS)  # 100 copies of items, garbage as soon as the answer is sent
        kept = alive(Item)

    assert kept >= 100, (
        f"{released()} no longer keeps every model object in its instance tracker: "
        "remove infra/moto_fixes/instance_tracker.py"
    )


def test_released_moto_still_sorts_the_whole_table_for_a_query(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.test_dynamodb_queries import query_one_partition_of_a_big_table

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        comparisons = query_one_partition_of_a_big_table(client, monkeypatch)

    assert comparisons >= 600, (
        f"{released()} no longer sorts the whole table to answer a Query: remove infra/moto_fixes/dynamodb_queries.py"
    )


def test_released_moto_still_keeps_every_shard_iterator(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.test_dynamodb_streams import read_stream

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        _, kept = read_stream(client, writes=3, polls=20)

    assert kept >= 20, (
        f"{released()} no longer keeps every shard iterator it handed out: remove infra/moto_fixes/dynamodb_streams.py"
    )


def test_released_moto_still_orders_a_query_by_comparing_dynamo_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.test_dynamodb_queries import query_a_big_index_partition

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        comparisons = query_a_big_index_partition(client, monkeypatch)

    assert comparisons >= 2 * 500, (
        f"{released()} no longer sorts a Query's items by comparing DynamoTypes: "
        "remove the presorting (sorted_items) of infra/moto_fixes/dynamodb_queries.py"
    )


def test_released_moto_still_holds_an_items_key_values_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.probes import stored_item

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}})
        item = stored_item(REQUESTS, "R#1", "REQUEST")

    assert item.attrs["pk"] is not item.hash_key, (
        f"{released()} now holds an item's key values once: remove infra/moto_fixes/dynamodb_items.py"
    )


def test_released_moto_still_builds_a_hash_key_per_item_of_a_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.probes import stored_item

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        for sk in ("REQUEST", "EVENT#1"):
            client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": sk}})
        first, second = stored_item(REQUESTS, "R#1").values()

    assert first.hash_key is not second.hash_key, (
        f"{released()} now holds one hash key per partition: remove that part of infra/moto_fixes/dynamodb_items.py"
    )


def test_released_moto_still_keeps_stream_records_as_dicts(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.moto_fixes.test_dynamodb_stream_records import _stream_records

    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#1"}, "sk": {"S": "REQUEST"}})
        record = _stream_records(client)[0]

    assert isinstance(record.__dict__.get("record"), dict), (
        f"{released()} no longer keeps each stream record as a dict: remove infra/moto_fixes/dynamodb_stream_records.py"
    )
