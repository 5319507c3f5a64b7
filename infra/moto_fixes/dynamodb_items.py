"""A DynamoDB item's key values held once, not twice.

moto 5.2.5 builds an item's hash and range key values (`Item.hash_key`, `Item.range_key`) apart from
the same values among its attributes (`Item.attrs`): two more objects per item, kept for as long as
the item. The local stack holds every item of a burst (a request writes ~30, most of them two-key
search tokens and queue views), so those copies were about a tenth of what a small item costs:
1,111-1,160 bytes an item without this fix, 1,033 with it (tracemalloc, 3,000 four-attribute items).

Here, once moto has stored an item, its attributes hold the very key objects the item does. Keys
never change in DynamoDB (an update of one is refused), so nothing can tell them apart.

Likewise the items of one partition (a table with a sort key) hold one hash key object between them,
the one the partition's first item holds: moto built one (and its string, decoded from each request)
per item. A request's search tokens, views and events are all items of partitions that other items
already started (`SEARCH#<token>`, `REQ#<reference>`), so this is ~170 bytes of most of them. Both
together: 1,075 bytes an item without this module, 766 with it (tracemalloc, 3,000 four-attribute
items in 300 partitions, the other fixes on). Only string and binary keys are shared: equal ones are
identical, and moto never changes them in place (numbers are not: "1" and "1.0" are one key, and
each item gives its own back).
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import Table

_UPSTREAM_PUT_ITEM = Table.__dict__["put_item"]
# Held as str or bytes, equal only when identical, never changed in place. Not numbers: "1" and "1.0"
# are one key, and an item gives back its key as it was written.
_SHAREABLE = ("S", "B")


def _put_item_sharing_keys(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    item = _UPSTREAM_PUT_ITEM(self, item_attrs, *args, **kwargs)
    if self.range_key_attr is not None:
        partition = self.items.get(item.hash_key)  # `get`: `items` is a defaultdict, never add to it here
        first = next(iter(partition.values()), None) if partition else None
        if first is not None and first is not item and first.hash_key.type in _SHAREABLE:
            item.hash_key = first.hash_key
    item.attrs[self.hash_key_attr] = item.hash_key
    if self.range_key_attr is not None and item.range_key is not None:
        item.attrs[self.range_key_attr] = item.range_key
    return item


def apply() -> None:
    Table.put_item = _put_item_sharing_keys  # type: ignore[method-assign]


def remove() -> None:
    Table.put_item = _UPSTREAM_PUT_ITEM  # type: ignore[method-assign]


def is_applied() -> bool:
    return Table.__dict__["put_item"] is _put_item_sharing_keys
