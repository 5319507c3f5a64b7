"""TransactWriteItems keeps moto's behaviour with the journal: every test runs on the fixed moto and on
moto as released (the `dynamodb` fixture), with the same assertions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.moto_fixes.conftest import COUNTERS, REQUESTS, mocked_dynamodb, moto_as


def request_item(reference: str, status: str, version: int = 1) -> dict[str, Any]:
    return {
        "pk": {"S": f"REQ#{reference}"},
        "sk": {"S": "REQUEST"},
        "queue_status": {"S": status},
        "queue_order": {"S": f"2#2026-12-01#{reference}"},
        "received_at": {"S": "2026-12-01T10:00:00Z"},
        "version": {"N": str(version)},
    }


def request_key(reference: str) -> dict[str, Any]:
    return {"pk": {"S": f"REQ#{reference}"}, "sk": {"S": "REQUEST"}}


def stored(client: Any, reference: str) -> dict[str, Any] | None:
    return client.get_item(TableName=REQUESTS, Key=request_key(reference)).get("Item")


def in_queue(client: Any, status: str) -> list[str]:
    """References the `queue` GSI lists under a status, in queue order."""
    answer = client.query(
        TableName=REQUESTS,
        IndexName="queue",
        KeyConditionExpression="queue_status = :s",
        ExpressionAttributeValues={":s": {"S": status}},
    )
    return [item["pk"]["S"].removeprefix("REQ#") for item in answer["Items"]]


def by_received(client: Any, reference: str) -> list[dict[str, Any]]:
    """What the LSI shows for a request's partition."""
    return client.query(
        TableName=REQUESTS,
        IndexName="by_received",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"REQ#{reference}"}},
    )["Items"]


def counter(client: Any, name: str) -> int | None:
    item = client.get_item(TableName=COUNTERS, Key={"pk": {"S": name}}).get("Item")
    return int(item["hits"]["N"]) if item else None


def cancelled(client: Any, transact_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cancellation reasons of a transaction that must be cancelled."""
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=transact_items)
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException", error
    return list(error["CancellationReasons"])


def update_status(reference: str, to: str, *, expected_version: int = 1) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": REQUESTS,
            "Key": request_key(reference),
            "UpdateExpression": "SET queue_status = :to, version = version + :one",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":to": {"S": to}, ":one": {"N": "1"}, ":v": {"N": str(expected_version)}},
        }
    }


def must_not_exist(reference: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": REQUESTS,
            "Key": request_key(reference),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def add_hit(name: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": COUNTERS,
            "Key": {"pk": {"S": name}},
            "UpdateExpression": "ADD hits :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def test_a_failing_condition_in_the_second_of_three_leaves_the_first_and_the_third_untouched(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "received"))
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("B", "received"))
    before_a, lsi_before = stored(dynamodb, "A"), by_received(dynamodb, "A")

    reasons = cancelled(
        dynamodb,
        [
            update_status("A", "queued"),  # would move A to another GSI partition
            must_not_exist("B"),  # B exists: fails
            {"Put": {"TableName": REQUESTS, "Item": request_item("C", "queued")}},
        ],
    )

    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert stored(dynamodb, "A") == before_a
    assert stored(dynamodb, "C") is None
    assert in_queue(dynamodb, "queued") == []
    assert in_queue(dynamodb, "received") == ["A", "B"]
    assert by_received(dynamodb, "A") == lsi_before
    assert by_received(dynamodb, "C") == []


def test_cancellation_reasons_come_one_per_operation_in_order_with_the_old_item_when_asked(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "received", version=3))
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("B", "received"))
    stale_update = update_status("A", "queued", expected_version=1)
    stale_update["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"

    reasons = cancelled(
        dynamodb,
        [
            {"Put": {"TableName": REQUESTS, "Item": request_item("C", "received")}},
            stale_update,
            {
                "Delete": {
                    "TableName": REQUESTS,
                    "Key": request_key("B"),
                    "ConditionExpression": "queue_status = :s",
                    "ExpressionAttributeValues": {":s": {"S": "closed"}},
                }
            },
            add_hit("ip#127.0.0.1"),
        ],
    )

    assert [reason["Code"] for reason in reasons] == [
        "None",
        "ConditionalCheckFailed",
        "ConditionalCheckFailed",
        "None",
    ]
    assert reasons[1]["Item"] == request_item("A", "received", version=3)
    assert "Item" not in reasons[2]
    assert reasons[1]["Message"] == "The conditional request failed"
    assert stored(dynamodb, "B") == request_item("B", "received")
    assert counter(dynamodb, "ip#127.0.0.1") is None


def test_a_transaction_over_two_tables_rolls_back_both(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=COUNTERS, Item={"pk": {"S": "email#a@example.cn"}, "hits": {"N": "4"}})
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "received"))

    reasons = cancelled(
        dynamodb,
        [
            {"Put": {"TableName": REQUESTS, "Item": request_item("N", "received")}},
            add_hit("email#a@example.cn"),
            add_hit("ip#10.0.0.1"),  # a counter that does not exist yet: created, then rolled back
            update_status("A", "queued", expected_version=9),
        ],
    )

    assert [reason["Code"] for reason in reasons] == ["None", "None", "None", "ConditionalCheckFailed"]
    assert stored(dynamodb, "N") is None
    assert counter(dynamodb, "email#a@example.cn") == 4
    assert counter(dynamodb, "ip#10.0.0.1") is None
    assert dynamodb.scan(TableName=COUNTERS)["Count"] == 1
    assert dynamodb.describe_table(TableName=REQUESTS)["Table"]["ItemCount"] == 1


def test_a_rolled_back_delete_brings_the_item_back_to_every_index(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "queued"))
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("B", "received"))

    cancelled(dynamodb, [{"Delete": {"TableName": REQUESTS, "Key": request_key("A")}}, must_not_exist("B")])

    assert stored(dynamodb, "A") == request_item("A", "queued")
    assert in_queue(dynamodb, "queued") == ["A"]
    assert [item["pk"]["S"] for item in by_received(dynamodb, "A")] == ["REQ#A"]


def test_two_operations_on_one_item_are_refused_and_what_ran_before_is_undone(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": REQUESTS, "Item": request_item("X", "received")}},
                {"Put": {"TableName": REQUESTS, "Item": request_item("Y", "received")}},
                update_status("X", "queued"),
            ]
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "multiple operations on one item" in raised.value.response["Error"]["Message"]
    assert stored(dynamodb, "X") is None
    assert stored(dynamodb, "Y") is None


def test_a_missing_table_cancels_the_transaction(dynamodb: Any) -> None:
    reasons = cancelled(
        dynamodb,
        [
            {"Put": {"TableName": REQUESTS, "Item": request_item("A", "received")}},
            {"Delete": {"TableName": "no-such-table", "Key": {"pk": {"S": "x"}}}},
        ],
    )

    assert [reason["Code"] for reason in reasons] == ["None", "ResourceNotFoundException"]
    assert stored(dynamodb, "A") is None


def test_a_cancelled_transaction_leaves_no_stream_records(dynamodb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    def records() -> list[str]:
        # Read from moto's backend: its DynamoDB Streams API answers DescribeStream with "Not yet implemented".
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(REQUESTS)
        return [record.record["eventName"] for record in table.stream_shard.items]

    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "received"))
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("B", "received"))
    cancelled(dynamodb, [update_status("A", "queued"), must_not_exist("B")])
    assert records() == ["INSERT", "INSERT"]

    dynamodb.transact_write_items(TransactItems=[update_status("A", "queued")])
    assert records() == ["INSERT", "INSERT", "MODIFY"]


def test_a_transaction_that_succeeds_writes_everything_and_takes_a_client_token(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=REQUESTS, Item=request_item("A", "received"))

    dynamodb.transact_write_items(
        TransactItems=[
            update_status("A", "queued"),
            {"Put": {"TableName": REQUESTS, "Item": request_item("B", "queued")}},
            add_hit("ip#127.0.0.1"),
        ],
        ClientRequestToken="same-token-twice",
    )

    assert in_queue(dynamodb, "queued") == ["A", "B"]
    assert stored(dynamodb, "A")["version"] == {"N": "2"}
    assert counter(dynamodb, "ip#127.0.0.1") == 1


# --- the same script on both, compared whole ------------------------------------------------------

SCRIPT: list[list[dict[str, Any]]] = [
    [{"Put": {"TableName": REQUESTS, "Item": request_item(ref, "received")}} for ref in "ABCDE"],
    [update_status("A", "queued"), update_status("B", "queued", expected_version=7), add_hit("x")],
    [update_status("A", "closed", expected_version=2), add_hit("x"), add_hit("y")],
    [{"Delete": {"TableName": REQUESTS, "Key": request_key("C")}}, must_not_exist("D")],
    [{"Delete": {"TableName": REQUESTS, "Key": request_key("C")}}, must_not_exist("Z")],
    [{"Put": {"TableName": REQUESTS, "Item": request_item("F", "queued")}}, add_hit("x"), add_hit("x")],
    [update_status("D", "queued"), {"Put": {"TableName": "missing", "Item": {"pk": {"S": "1"}}}}],
    [{"Put": {"TableName": REQUESTS, "Item": {"pk": {"S": "REQ#G"}}}}],  # no sort key
    [update_status("E", "queued"), {"Update": {**update_status("B", "x")["Update"], "UpdateExpression": "SET"}}],
]


def run_script(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    outcomes: list[Any] = []
    with mocked_dynamodb(monkeypatch) as client:
        for transact_items in SCRIPT:
            try:
                client.transact_write_items(TransactItems=transact_items)
                outcomes.append("ok")
            except ClientError as error:
                answer = error.response
                outcomes.append((answer["Error"], answer.get("CancellationReasons")))
            outcomes.append(client.scan(TableName=REQUESTS)["Items"])
            outcomes.append(client.scan(TableName=COUNTERS)["Items"])
            outcomes.append(in_queue(client, "queued"))
    return outcomes


def test_a_script_of_transactions_ends_the_same_on_the_fixed_and_the_released_moto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with moto_as("fixed"):
        fixed = run_script(monkeypatch)
    with moto_as("upstream"):
        upstream = run_script(monkeypatch)

    assert fixed == upstream
    assert fixed.count("ok") == 2  # the script does exercise failures: all but two transactions fail
