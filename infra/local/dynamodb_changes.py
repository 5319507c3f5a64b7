"""Which DynamoDB items moto changed since the last look, noted as moto writes them.

The local stack's snapshot (persistence.py) reads back only those items every 30 s. Reading every
item of every table instead paused moto for seconds once a burst had filled the tables, long enough
for handlers to pass their Timeout and for mail to be sent twice (bench/local_burst.py).

Every write of an item goes through the backend's `put_item` (PutItem, BatchWriteItem, a
transaction's Put), `delete_item` (DeleteItem, BatchWriteItem, a transaction's Delete) or
`update_item` (UpdateItem, a transaction's Update: it changes the item in place). A transaction's
rollback (infra/moto_fixes/dynamodb_transactions.py) puts back items those calls already noted.
PartiQL (`execute_statement`) writes to tables directly: each table is then noted whole. A table
created, deleted or replaced is the snapshot's to see (it compares the tables it saw last).

A key is noted before the write runs and kept whatever the write does: a write that failed makes
the snapshot read an unchanged item again, which costs little; one it missed would be lost data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType

Key = tuple[DynamoType, DynamoType | None]


class ChangedItems:
    """The keys written since the last `take()`, by table; None for a table to read whole."""

    def __init__(self) -> None:
        self._changed: dict[str, set[Key] | None] = {}

    def note(self, table: str, key: Key) -> None:
        keys = self._changed.setdefault(table, set())
        if keys is not None:
            keys.add(key)

    def note_whole(self, table: str) -> None:
        self._changed[table] = None

    def take(self) -> dict[str, set[Key] | None]:
        changed, self._changed = self._changed, {}
        return changed


_watchers: list[ChangedItems] = []
_UPSTREAM: dict[str, Callable[..., Any]] = {}


def watch() -> ChangedItems:
    """Start noting writes for a new watcher (the hooks are installed once per process)."""
    _install()
    watcher = ChangedItems()
    _watchers.append(watcher)
    return watcher


def unwatch(watcher: ChangedItems) -> None:
    if watcher in _watchers:
        _watchers.remove(watcher)


def _key_of(backend: DynamoDBBackend, table_name: str, key_or_item: dict[str, Any]) -> Key | None:
    try:
        table = backend.get_table(table_name)
        key = {name: key_or_item[name] for name in (table.hash_key_attr, table.range_key_attr) if name}
        hash_value, range_value = backend.get_keys_value(table, key)
    except Exception:  # no such table or no key: moto refuses the write itself, nothing changes
        return None
    return hash_value, range_value


def _noting_the_key(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def write(self: DynamoDBBackend, table_name: str, key_or_item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if _watchers:
            key = _key_of(self, table_name, key_or_item)
            if key is not None:
                for watcher in _watchers:
                    watcher.note(table_name, key)
        return method(self, table_name, key_or_item, *args, **kwargs)

    return write


def _noting_every_table(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def statement(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            for watcher in _watchers:
                for table_name in list(self.tables):
                    watcher.note_whole(table_name)

    return statement


def _install() -> None:
    if _UPSTREAM:
        return
    for name in ("put_item", "delete_item", "update_item"):
        _UPSTREAM[name] = getattr(DynamoDBBackend, name)
        setattr(DynamoDBBackend, name, _noting_the_key(_UPSTREAM[name]))
    _UPSTREAM["execute_statement"] = DynamoDBBackend.execute_statement
    DynamoDBBackend.execute_statement = _noting_every_table(_UPSTREAM["execute_statement"])  # type: ignore[method-assign]
