"""The scenarios that show moto's costs growing with the data, and the counters that measure them.

Shared by the tests that keep the fixes working (test_leaks.py, test_dynamodb_*.py) and the test that
says when moto as released no longer needs them (test_upstream_still_needs_fixes.py).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from tests.integration.moto_fixes.conftest import COUNTERS, REQUESTS, mocked_dynamodb, moto_as

BODY = "正文" * 200  # a request's fields weigh a few hundred bytes to a few KB


class Built:
    """How many objects of a moto model class were built (by its constructor or by copy.deepcopy)."""

    def __init__(self) -> None:
        self.count = 0


@contextmanager
def counting_built(model: type, monkeypatch: pytest.MonkeyPatch) -> Iterator[Built]:
    built = Built()
    upstream_new = model.__new__

    def counted(cls: type, *args: Any, **kwargs: Any) -> Any:
        if cls is model:
            built.count += 1
        return upstream_new(cls, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(model, "__new__", staticmethod(counted))
        yield built


def alive(model: type) -> int:
    """Objects of `model` moto's instance tracker still holds, once the garbage is collected."""
    gc.collect()
    return sum(1 for instance in model.instances_tracked if type(instance) is model)  # type: ignore[attr-defined]


def fill(client: Any, count: int) -> None:
    for index in range(count):
        client.put_item(
            TableName=REQUESTS, Item={"pk": {"S": f"OLD#{index}"}, "sk": {"S": "REQUEST"}, "body": {"S": BODY}}
        )


def submit_by_transaction(client: Any, index: int) -> None:
    """What POST /requests writes: the request, its first audit event, and a rate-limit counter."""
    reference = {"S": f"REQ#{index}"}
    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": REQUESTS,
                    "Item": {"pk": reference, "sk": {"S": "REQUEST"}, "body": {"S": BODY}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": REQUESTS, "Item": {"pk": reference, "sk": {"S": "EVENT#received"}}}},
            {
                "Update": {
                    "TableName": COUNTERS,
                    "Key": {"pk": {"S": "ip#127.0.0.1"}},
                    "UpdateExpression": "ADD hits :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )


def submit_by_puts(client: Any, index: int) -> None:
    """The same items written one by one: the floor a transaction is compared with."""
    reference = {"S": f"PUT#{index}"}
    client.put_item(TableName=REQUESTS, Item={"pk": reference, "sk": {"S": "REQUEST"}, "body": {"S": BODY}})
    client.put_item(TableName=REQUESTS, Item={"pk": reference, "sk": {"S": "EVENT#received"}})
    client.update_item(
        TableName=COUNTERS,
        Key={"pk": {"S": "ip#127.0.0.1"}},
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


def stored_item(table_name: str, pk: str, sk: str | None = None) -> Any:
    """The item moto holds (or, without `sk`, the partition: {sort key: item})."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(table_name)
    partition = table.items[DynamoType({"S": pk})]
    return partition[DynamoType({"S": sk})] if sk is not None else partition


def answers_on_fixed_and_upstream(scenario: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """What `scenario(client)` answers on the fixed moto, then on moto as released (fresh tables each)."""
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        fixed = scenario(client)
    with moto_as("upstream"), mocked_dynamodb(monkeypatch) as client:
        upstream = scenario(client)
    return fixed, upstream


def bytes_kept_each(count: int, make: Callable[[int], object]) -> float:
    """Memory kept per call of `make(n)`, n from 0 to count-1 (tracemalloc, after collecting the
    garbage); what each call returns is held until measured."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [make(n) for n in range(count)]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        assert len(kept) == count
        return (after - before) / count
    finally:
        tracemalloc.stop()


def cost_without_and_with(fix: ModuleType, measure: Callable[[], float]) -> tuple[float, float]:
    """`measure()` with every fix on but `fix`, then with all of them (the other fixes change costs too)."""
    with moto_as("fixed"):
        fix.remove()
        try:
            without = measure()
        finally:
            fix.apply()
        return without, measure()
