"""DynamoDB TransactWriteItems rolled back from a journal of the items it touched, not from copies of tables.

moto 5.2.5's `transact_write_items` deep-copies a table for each operation on it before it starts, to
put a copy in the table's place if any operation fails. A transaction therefore costs as much as
the tables are big (36 → 5 two-item transactions a second between 0 and 2,000 items), and every copy
was kept for ever by moto's instance tracker (1,500 transactions: 217 s and 4.4 GB).

This is moto's method, line for line, except for the rollback: before an operation runs, the journal
remembers the one item it may change (absent, or the item as it was), and a failed transaction puts
those items back, last first. Secondary indexes are not stored apart in moto (a query on an index
reads the table's items), so restoring the items restores what every GSI and LSI shows. Stream
records the transaction added are dropped again, as the copy did. What stays the same: all or
nothing; the cancellation reasons, one per operation in order; ConditionCheck;
ReturnValuesOnConditionCheckFailure; every error moto raises. moto ignores ClientRequestToken (no
idempotent retries), and so does this.

One difference, for the better: a failed transaction leaves the same Table object in place rather
than a copy, so a reference to the table taken before it stays true.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_UPSTREAM: Callable[..., None] = DynamoDBBackend.transact_write_items


@dataclass(frozen=True)
class _ItemBefore:
    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    item: Item | None  # None: there was no item under this key
    partition_existed: bool  # tables with a range key: moto's lookups create empty partitions


@dataclass(frozen=True)
class _StreamBefore:
    records: list[Any]
    length: int


class ItemJournal:
    """The items a transaction may change, as they were, to be put back if it fails."""

    def __init__(self) -> None:
        self._items: list[_ItemBefore] = []
        self._streams: dict[int, _StreamBefore] = {}

    def remember(
        self, backend: DynamoDBBackend, table_name: str, key: dict[str, Any], *, changed_in_place: bool
    ) -> None:
        # The same calls, in the same order, as the backend's get_item that follows: same errors.
        table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        item: Item | None
        if table.range_key_attr is None:
            item, partition_existed = cast(Item | None, table.items.get(hash_key)), True
        else:
            partition = table.items.get(hash_key)  # .get: never create the partition ourselves
            partition_existed = partition is not None
            item = partition.get(range_key) if partition is not None else None
        if changed_in_place and item is not None:
            # An update changes its item in place; a put or a delete swaps the object, which stays as it was.
            item = copy.deepcopy(item)
        self._items.append(_ItemBefore(table, hash_key, range_key, item, partition_existed))
        shard = table.stream_shard
        if shard is not None and id(table) not in self._streams:
            self._streams[id(table)] = _StreamBefore(shard.items, len(shard.items))

    def undo(self) -> None:
        for before in reversed(self._items):
            _put_back(before)
        for stream in self._streams.values():
            del stream.records[stream.length :]
        self._items.clear()
        self._streams.clear()


def _put_back(before: _ItemBefore) -> None:
    # moto keys a table by hash key, to an Item, or (with a range key) to a dict of range key to Item.
    items: dict[DynamoType, Any] = before.table.items
    if before.table.range_key_attr is None:
        if before.item is None:
            items.pop(before.hash_key, None)
        else:
            items[before.hash_key] = before.item
        return
    partition = items[before.hash_key]
    if before.item is None:
        partition.pop(before.range_key, None)
    else:
        partition[before.range_key] = before.item
    if not partition and not before.partition_existed:
        del items[before.hash_key]


def journaled_transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's DynamoDBBackend.transact_write_items, with the journal for a rollback."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = ItemJournal()

    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []  # [(Code, Message, Item), ..]
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        # Check transact writes are not performing multiple operations on the same item
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException

        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")

            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")

            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]

            check_unicity(table_name, key)

            journal.remember(self, table_name, key, changed_in_place=op_type == "Update")
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type == "Put":
                attrs = op["Item"]
                self.put_item(
                    table_name,
                    attrs,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                update_expression = op["UpdateExpression"]
                self.update_item(
                    table_name,
                    key,
                    update_expression=update_expression,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            # Rollback to the original state, and reraise the error
            journal.undo()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:
            # For other exceptions, capture their details
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        # Rollback to the original state, and reraise the errors
        journal.undo()
        raise TransactionCanceledException(errors)


def apply() -> None:
    DynamoDBBackend.transact_write_items = journaled_transact_write_items  # type: ignore[method-assign]


def remove() -> None:
    DynamoDBBackend.transact_write_items = _UPSTREAM  # type: ignore[method-assign]


def is_applied() -> bool:
    return DynamoDBBackend.transact_write_items is journaled_transact_write_items
