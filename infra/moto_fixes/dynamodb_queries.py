"""DynamoDB Query in moto without sorting the whole table each time.

moto 5.2.5 answers every Query, on the table or on an index, by listing every item of the table,
*sorted* by its keys (`Table.all_items`, Python comparisons of DynamoType values), and only then
keeping the items of the partition asked for; each page of a paginated Query does it again. A Query
for one request's items (`pk = :pk`) therefore costs in proportion to the whole table, n log n, and
the local stack's worker, which makes several per message, slows as a burst fills the table.

Here a Query first narrows the items moto considers to those that can match its key condition:
- on the table: the partition itself, read from moto's own `{hash: {range: item}}` map, so the cost
  is proportional to the partition, as in DynamoDB;
- on a local index: the partition, likewise;
- on a global index: one pass over the table keeping the items whose index hash key matches (no sort, and
  no copy), then moto sorts and pages just those. This still reads every item once per page; an
  index of moto's own, kept in step with every write, would make it proportional to the result.
moto's own query code then runs unchanged on those items, so what a client sees is unchanged (the
tests in tests/integration/moto_fixes/ compare it with moto as released).

moto then sorts those items comparing `DynamoType`s, each comparison converting both values again
(a `Decimal` per number): n log n slow comparisons, 2 s for the 10,000 comments of one pending queue.
The items are first put in the same order by their plain values, computed once per item; moto's own
sort then still runs and decides, but finds them in order (one comparison per item).
"""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_narrowed = threading.local()  # the items the Query running on this thread may consider


def _all_items_or_narrowed(self: Table) -> list[Item]:
    narrowed = getattr(_narrowed, "items", None)
    if narrowed is not None and getattr(_narrowed, "table", None) is self:
        return narrowed  # type: ignore[no-any-return]
    return _UPSTREAM_ALL_ITEMS(self)


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    if hash_key not in table.items:  # `items` is a defaultdict: look before reading
        return []
    stored = table.items[hash_key]
    if not table.range_key_attr:
        return [stored]  # type: ignore[list-item]
    return sorted(stored.values(), key=lambda item: item.range_key.cast_value)  # moto's order: by range key


def _in_moto_order(items: list[Item], attributes: list[str]) -> None:
    """Sort ``items`` as moto will, by plain values; values moto cannot order plainly are left to it."""
    # A missing key or mixed types: the items stay a permutation, and moto's sort decides alone.
    with suppress(KeyError, TypeError):
        items.sort(key=lambda item: tuple(item.attrs[name].cast_value for name in attributes))


def _sorted_items_presorted(
    self: Table, hash_key_attrs: list[str], range_key_attrs: list[Any], items: list[Item]
) -> Any:
    _in_moto_order(items, self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs))
    return _UPSTREAM_SORTED_ITEMS(self, hash_key_attrs, range_key_attrs, items)


def _same_key(held: DynamoType | None, wanted: DynamoType) -> bool:
    """``held == wanted`` as moto decides it, without converting strings (the pass reads every item)."""
    if held is None or held.type != wanted.type:
        return False
    if wanted.type in ("S", "B"):
        return bool(held.value == wanted.value)
    return bool(held == wanted)  # numbers: "1" and "1.0" are the same key


def _index_candidates(table: Table, conditions: list[tuple[str, DynamoType]]) -> list[Item]:
    found: list[Item] = []
    for stored in table.items.values():
        for item in stored.values() if table.range_key_attr else (stored,):
            # A superset is safe (moto checks the conditions again); a missing attribute never matches.
            if all(_same_key(item.attrs.get(name), value) for name, value in conditions):
                found.append(item)
    return found


def _query_on_its_candidates(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    conditions = kwargs.get("hash_key_conditions")
    if index_name:
        if not conditions:  # moto always passes them; without them, leave the query to moto
            return _UPSTREAM_QUERY(self, hash_key, *args, **kwargs)
        conditions = list(conditions)
        if len(conditions) == 1 and conditions[0][0] == self.hash_key_attr:  # a local index: one partition
            candidates = _partition(self, conditions[0][1])
        else:
            candidates = _index_candidates(self, conditions)
    elif isinstance(hash_key, DynamoType):
        candidates = _partition(self, hash_key)
    else:
        return _UPSTREAM_QUERY(self, hash_key, *args, **kwargs)
    _narrowed.table, _narrowed.items = self, candidates
    try:
        return _UPSTREAM_QUERY(self, hash_key, *args, **kwargs)
    finally:
        _narrowed.table, _narrowed.items = None, None


_UPSTREAM_ALL_ITEMS = Table.__dict__["all_items"]
_UPSTREAM_QUERY = Table.__dict__["query"]
_UPSTREAM_SORTED_ITEMS = Table.__dict__["sorted_items"]
_REPLACEMENTS: dict[str, Any] = {
    "all_items": _all_items_or_narrowed,
    "query": _query_on_its_candidates,
    "sorted_items": _sorted_items_presorted,
}
_UPSTREAM = {"all_items": _UPSTREAM_ALL_ITEMS, "query": _UPSTREAM_QUERY, "sorted_items": _UPSTREAM_SORTED_ITEMS}


def apply() -> None:
    for name, replacement in _REPLACEMENTS.items():
        setattr(Table, name, replacement)


def remove() -> None:
    for name, upstream in _UPSTREAM.items():
        setattr(Table, name, upstream)


def is_applied() -> bool:
    return all(Table.__dict__[name] is replacement for name, replacement in _REPLACEMENTS.items())
