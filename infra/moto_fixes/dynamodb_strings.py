"""The equal strings of one DynamoDB request held once by the items moto builds from it.

moto 5.2.5 builds an item's values from the request's parsed JSON, so each string of the request is
an object of its own, kept for as long as the item: a TransactWriteItems that puts a request, its
queue views and its search tokens (the local stack's POST /requests) holds the request's status,
dates, reference, article and names once per item they appear in, and every item holds its own copy
of each attribute name (`queue_status`, `created_at`...), again for every request.

Here, before moto reads a DynamoDB request, its equal string values are made one object (a memo that
lives for the one request), and attribute and map key names are interned (a name is the same object
in every item of every table; CPython drops an interned string nobody holds). A string is immutable
and compared by value everywhere in moto, so nothing can tell; the answers are moto's own
(tests/integration/moto_fixes/test_dynamodb_strings.py). A transaction shaped like a submission's (the
request, three views, five search tokens) kept 22.1 KB without this, 18.4 KB with it (tracemalloc).
"""

from __future__ import annotations

import sys
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_UPSTREAM_CALL_ACTION = DynamoHandler.__dict__["call_action"]


def shared(value: Any, memo: dict[str, str]) -> Any:
    """``value`` with dict keys interned and equal strings made one object (dicts and lists rebuilt)."""
    if isinstance(value, str):
        return memo.setdefault(value, value)
    if isinstance(value, dict):
        return {sys.intern(key) if isinstance(key, str) else key: shared(item, memo) for key, item in value.items()}
    if isinstance(value, list):
        return [shared(item, memo) for item in value]
    return value


def _call_action_sharing_strings(self: DynamoHandler) -> Any:
    params = getattr(self, "params", None)
    if type(params) is dict:
        self.params = shared(params, {})
    return _UPSTREAM_CALL_ACTION(self)


def apply() -> None:
    DynamoHandler.call_action = _call_action_sharing_strings  # type: ignore[method-assign]


def remove() -> None:
    DynamoHandler.call_action = _UPSTREAM_CALL_ACTION  # type: ignore[method-assign]


def is_applied() -> bool:
    return DynamoHandler.__dict__["call_action"] is _call_action_sharing_strings
