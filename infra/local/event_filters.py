"""Lambda event filtering (an event source mapping's FilterCriteria), for the local event sources.

Lambda keeps a record when any of the filters' patterns matches it, and drops the others without
invoking the function. A pattern is EventBridge's pattern language applied to the record as the
function would receive it. Implemented: nested keys, lists of literal values, and the `prefix`,
`exists` and `anything-but` operators. Any other operator fails at start-up with its name, so that a
template using one is not silently treated as "match everything".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

SUPPORTED_OPERATORS = frozenset({"prefix", "exists", "anything-but"})
_MISSING = object()


class UnsupportedFilter(ValueError):
    pass


def compile_filters(filter_criteria: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The patterns of a FilterCriteria property (each `Pattern` is a JSON string), checked."""
    patterns = []
    for entry in (filter_criteria or {}).get("Filters") or []:
        pattern = json.loads(entry["Pattern"])
        if not isinstance(pattern, dict):
            raise UnsupportedFilter(f"a filter pattern must be a JSON object: {entry['Pattern']}")
        _check(pattern)
        patterns.append(pattern)
    return patterns


def keeps(patterns: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    """True when there are no patterns, or when any of them matches ``record``."""
    return not patterns or any(_matches(pattern, record) for pattern in patterns)


def _check(pattern: Mapping[str, Any]) -> None:
    for key, rule in pattern.items():
        if isinstance(rule, dict):
            _check(rule)
        elif isinstance(rule, list):
            for value in rule:
                if isinstance(value, dict):
                    unknown = set(value) - SUPPORTED_OPERATORS
                    if unknown:
                        raise UnsupportedFilter(f"filter operator {sorted(unknown)} in {key!r} is not emulated locally")
        else:
            raise UnsupportedFilter(f"filter pattern for {key!r} must be an object or a list, not {rule!r}")


def _matches(pattern: Mapping[str, Any], value: Any) -> bool:
    for key, rule in pattern.items():
        field = value.get(key, _MISSING) if isinstance(value, Mapping) else _MISSING
        if isinstance(rule, dict):
            if field is _MISSING or not _matches(rule, field):
                return False
        elif not any(_matches_one(condition, field) for condition in rule):
            return False
    return True


def _matches_one(condition: Any, field: Any) -> bool:
    if isinstance(condition, dict):
        if "exists" in condition:
            return (field is not _MISSING) == bool(condition["exists"])
        if field is _MISSING:
            return False
        if "prefix" in condition:
            return isinstance(field, str) and field.startswith(str(condition["prefix"]))
        if "anything-but" in condition:
            excluded = condition["anything-but"]
            excluded = excluded if isinstance(excluded, list) else [excluded]
            return field not in excluded
        return False
    if field is _MISSING:
        return False
    if isinstance(field, list):
        return condition in field
    return bool(field == condition)
