"""The local stack's snapshot as a change log (infra/local/persistence.py, snapshot_files.py): what a
restart gives back is what a Scan returned at the last save, whichever way the items were written,
and a save logs what changed since the one before, not every item.

In-process moto here: it lives outside tests/integration/local_stack, whose shared stack holds moto's
backends in this same process (mock_aws would reset them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import dynamodb_changes, moto_state
from infra.local.persistence import Persistence
from infra.local.snapshot_files import STATE_FILE, encode_item
from tests.support.snapshot import client, in_process_moto, log_lines, saver_in

EVERY_KIND = {
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


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with in_process_moto(monkeypatch):
        yield


@pytest.fixture
def savers() -> Iterator[list[Persistence]]:
    made: list[Persistence] = []
    yield made
    for saver in made:
        saver.close()


def start(state_dir: Path, savers: list[Persistence]) -> Persistence:
    saver = saver_in(state_dir)
    savers.append(saver)
    saver.restore()
    return saver


def create_table(name: str, *, sort_key: bool) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "N"})
    client("dynamodb").create_table(
        TableName=name, KeySchema=schema, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST"
    )


def create_tables() -> None:
    create_table("plain", sort_key=False)
    create_table("sorted", sort_key=True)


def fresh_tables() -> None:
    """As a restarted stack has them: the same tables, empty."""
    for table in ("plain", "sorted"):
        client("dynamodb").delete_table(TableName=table)
    create_tables()


def scanned() -> dict[str, list[str]]:
    """Every table's items as a Scan returns them, in a comparable form."""
    dynamodb = client("dynamodb")
    tables: dict[str, list[str]] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=name) for item in page["Items"]]
        tables[name] = sorted(json.dumps(encode_item(item), sort_keys=True) for item in items)
    return tables


def canonical(lines: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


def write_every_way() -> None:
    """Items written through every path moto has: each must reach the log."""
    dynamodb = client("dynamodb")
    for index in range(6):
        dynamodb.put_item(TableName="plain", Item={"pk": {"S": f"p{index}"}, **EVERY_KIND})
        item = {"pk": {"S": f"p{index % 2}"}, "sk": {"N": str(index)}, **EVERY_KIND}
        dynamodb.put_item(TableName="sorted", Item=item)
    dynamodb.delete_item(TableName="sorted", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})
    dynamodb.update_item(
        TableName="plain",
        Key={"pk": {"S": "p0"}},
        UpdateExpression="SET m.#inner = :b, tally = :one REMOVE ss",
        ExpressionAttributeNames={"#inner": "inner"},
        ExpressionAttributeValues={":b": {"B": b"\x05"}, ":one": {"N": "1"}},
    )
    dynamodb.update_item(  # creates the item
        TableName="sorted",
        Key={"pk": {"S": "new"}, "sk": {"N": "9"}},
        UpdateExpression="SET x = :x",
        ExpressionAttributeValues={":x": {"S": "made by an update"}},
    )
    dynamodb.batch_write_item(
        RequestItems={
            "plain": [
                {"PutRequest": {"Item": {"pk": {"S": "batch"}, "b": {"B": b"\x06"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "p5"}}}},
            ]
        }
    )
    update = {
        "TableName": "sorted",
        "Key": {"pk": {"S": "p0"}, "sk": {"N": "2"}},
        "UpdateExpression": "SET y = :y",
        "ExpressionAttributeValues": {":y": {"N": "2"}},
    }
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "plain", "Item": {"pk": {"S": "txn"}}}},
            {"Delete": {"TableName": "sorted", "Key": {"pk": {"S": "p0"}, "sk": {"N": "0"}}}},
            {"Update": update},
        ]
    )
    refused = {"TableName": "plain", "Item": {"pk": {"S": "txn"}}, "ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):  # rolled back: nothing changes
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "plain", "Item": {"pk": {"S": "p1"}, "gone": {"S": "rolled back"}}}},
                {"Put": refused},
            ]
        )


def test_a_restart_gives_back_what_a_scan_returned_whichever_way_items_were_written(
    moto: None, tmp_path: Path, savers: list[Persistence]
) -> None:
    create_tables()
    client("dynamodb").put_item(TableName="plain", Item={"pk": {"S": "before-start"}, **EVERY_KIND})
    saver = start(tmp_path, savers)  # a new log starts with every item there is
    write_every_way()
    saver.save()
    before = scanned()
    saver.close()

    fresh_tables()
    assert scanned() == {"plain": [], "sorted": []}
    start(tmp_path, savers)

    assert scanned() == before
    assert (len(before["plain"]), len(before["sorted"])) == (8, 5)


def test_a_save_logs_the_items_written_since_the_last_one_not_every_item(
    moto: None, tmp_path: Path, savers: list[Persistence]
) -> None:
    create_tables()
    dynamodb = client("dynamodb")
    for index in range(300):
        dynamodb.put_item(TableName="sorted", Item={"pk": {"S": f"p{index % 10}"}, "sk": {"N": str(index)}})
    saver = start(tmp_path, savers)
    assert len(log_lines(saver)) == 300

    dynamodb.update_item(
        TableName="sorted",
        Key={"pk": {"S": "p3"}, "sk": {"N": "3"}},
        UpdateExpression="SET x = :x",
        ExpressionAttributeValues={":x": {"S": "changed"}},
    )
    dynamodb.delete_item(TableName="sorted", Key={"pk": {"S": "p4"}, "sk": {"N": "4"}})
    dynamodb.put_item(TableName="plain", Item={"pk": {"S": "one"}})
    saver.save()

    assert canonical(log_lines(saver)[300:]) == canonical(
        [
            {"put": "sorted", "item": {"pk": {"S": "p3"}, "sk": {"N": "3"}, "x": {"S": "changed"}}},
            {"delete": "sorted", "key": {"pk": {"S": "p4"}, "sk": {"N": "4"}}},
            {"put": "plain", "item": {"pk": {"S": "one"}}},
        ]
    )
    saver.save()  # nothing changed since
    assert len(log_lines(saver)) == 303


def test_a_table_deleted_and_created_again_is_logged_whole(
    moto: None, tmp_path: Path, savers: list[Persistence]
) -> None:
    create_tables()
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName="plain", Item={"pk": {"S": "old"}})
    saver = start(tmp_path, savers)
    dynamodb.delete_table(TableName="plain")
    create_table("plain", sort_key=False)
    dynamodb.put_item(TableName="plain", Item={"pk": {"S": "new"}})
    saver.save()
    assert log_lines(saver)[-2:] == [{"clear": "plain"}, {"put": "plain", "item": {"pk": {"S": "new"}}}]


def test_bytes_past_what_the_state_counts_are_not_read_back(
    moto: None, tmp_path: Path, savers: list[Persistence]
) -> None:
    create_tables()
    saver = start(tmp_path, savers)
    client("dynamodb").put_item(TableName="plain", Item={"pk": {"S": "saved"}})
    saver.save()
    saver.close()
    assert saver.log_file is None
    (log_file,) = tmp_path.glob("changes-*.jsonl")
    with log_file.open("ab") as handle:  # a save killed after appending, before the state counted it
        handle.write(b'{"put": "plain", "item": {"pk": {"S": "unsaved"}}}\n{"put": "pl')

    fresh_tables()
    start(tmp_path, savers)
    assert scanned()["plain"] == ['{"pk": {"S": "saved"}}']


def test_a_version_1_snapshot_is_still_restored(moto: None, tmp_path: Path, savers: list[Persistence]) -> None:
    create_tables()
    version_1 = {
        "version": 1,
        "saved_at": "2026-11-30T08:00:00.000+00:00",
        "dynamodb": {"plain": [{"pk": {"S": "v1"}, "b": {"B": "AAE="}}]},
        "sqs": {},
        "ses": {"sent_count": 0, "messages": []},
        "s3": {},
    }
    (tmp_path / STATE_FILE).write_text(json.dumps(version_1), encoding="utf-8")
    start(tmp_path, savers)
    assert client("dynamodb").get_item(TableName="plain", Key={"pk": {"S": "v1"}})["Item"]["b"] == {"B": b"\x00\x01"}
    assert json.loads((tmp_path / STATE_FILE).read_text("utf-8"))["version"] == 2


def test_a_save_that_fails_half_way_is_followed_by_a_new_log_from_the_whole_data(
    moto: None, tmp_path: Path, savers: list[Persistence], monkeypatch: pytest.MonkeyPatch
) -> None:
    create_tables()
    saver = start(tmp_path, savers)
    first_log = saver.log_file
    client("dynamodb").put_item(TableName="plain", Item={"pk": {"S": "a"}})

    def failing() -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(moto_state, "queued_messages", failing)
    with pytest.raises(OSError, match="disk full"):
        saver.save()  # the put was taken from the noted changes, then the save failed
    monkeypatch.undo()
    saver.save()

    assert saver.log_file is not None and saver.log_file != first_log
    assert [path.name for path in tmp_path.glob("changes-*.jsonl")] == [saver.log_file.name]
    assert log_lines(saver) == [{"put": "plain", "item": {"pk": {"S": "a"}}}]


def _transaction(dynamodb: Any, condition: str) -> None:
    update = {
        "TableName": "plain",
        "Key": {"pk": {"S": "k2"}},
        "UpdateExpression": "SET a = :a",
        "ExpressionAttributeValues": {":a": {"S": "a"}},
        "ConditionExpression": condition,
    }
    dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "plain", "Item": {"pk": {"S": "k"}}}}, {"Update": update}]
    )


WRITES = {
    "put": lambda db: db.put_item(TableName="plain", Item={"pk": {"S": "k"}}),
    "delete": lambda db: db.delete_item(TableName="plain", Key={"pk": {"S": "k"}}),
    "update": lambda db: db.update_item(
        TableName="plain",
        Key={"pk": {"S": "k"}},
        UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": {"S": "a"}},
    ),
    "batch": lambda db: db.batch_write_item(
        RequestItems={
            "plain": [{"PutRequest": {"Item": {"pk": {"S": "k"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "k2"}}}}]
        }
    ),
    "transaction": lambda db: _transaction(db, "attribute_exists(pk)"),
}


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        ("put", {"k"}),
        ("delete", {"k"}),
        ("update", {"k"}),
        ("batch", {"k", "k2"}),
        ("transaction", {"k", "k2"}),
    ],
)
def test_every_write_notes_the_keys_it_touches(moto: None, write: str, expected: set[str]) -> None:
    create_tables()
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName="plain", Item={"pk": {"S": "k2"}})
    watcher = dynamodb_changes.watch()
    try:
        WRITES[write](dynamodb)
        changed = watcher.take()
    finally:
        dynamodb_changes.unwatch(watcher)
    assert {(table, hash_key.value) for table, keys in changed.items() for hash_key, _ in keys or ()} == {
        ("plain", key) for key in expected
    }


def test_a_cancelled_transaction_notes_what_it_wrote_before_rolling_back(moto: None) -> None:
    create_tables()
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName="plain", Item={"pk": {"S": "k2"}})
    watcher = dynamodb_changes.watch()
    try:
        with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
            _transaction(dynamodb, "attribute_not_exists(pk)")
        changed = watcher.take()
    finally:
        dynamodb_changes.unwatch(watcher)
    # k was put, then put back as it was; k2's update was refused before it ran
    assert {hash_key.value for hash_key, _ in changed["plain"] or ()} == {"k"}


def test_partiql_notes_every_table_whole(moto: None) -> None:
    create_tables()
    watcher = dynamodb_changes.watch()
    try:
        client("dynamodb").execute_statement(Statement="INSERT INTO \"plain\" VALUE {'pk': 'q'}")
        assert watcher.take() == {"plain": None, "sorted": None}
    finally:
        dynamodb_changes.unwatch(watcher)
