"""Urgency and deadlines: removal and copyright first, then corrections, then the rest.

The request types are the schema's (`request_type`); this module says only how urgent each is and
how long each urgency may wait. Deadlines count working days on the newsroom's calendar
(corrigo.workdays: Beijing dates, weekends and the configured holidays left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from corrigo.schema import request_types
from corrigo.workdays import add_working_days

URGENT, HIGH, NORMAL = 1, 2, 3
# Every type not named here is NORMAL; tests/unit/core/test_urgency.py checks these names are the schema's.
URGENCY_EXCEPTIONS = {"removal": URGENT, "copyright": URGENT, "correction": HIGH}
URGENCY_LABELS = {
    URGENT: {"zh": "紧急", "en": "Urgent"},
    HIGH: {"zh": "优先", "en": "High"},
    NORMAL: {"zh": "普通", "en": "Normal"},
}
# Working days to first response / to decision, per urgency, unless configured per type.
DEADLINES_BY_URGENCY = {URGENT: (1, 3), HIGH: (2, 5), NORMAL: (3, 10)}


def urgency_of(request_type: str) -> int:
    return URGENCY_EXCEPTIONS.get(request_type, NORMAL)


@cache
def default_deadlines() -> dict[str, tuple[int, int]]:
    return {name: DEADLINES_BY_URGENCY[urgency_of(name)] for name in request_types()}


@dataclass(frozen=True)
class Deadlines:
    by_type: dict[str, tuple[int, int]]
    holidays: frozenset[date] = frozenset()

    def _days(self, request_type: str) -> tuple[int, int]:
        return self.by_type.get(request_type, DEADLINES_BY_URGENCY[NORMAL])

    def first_response_due(self, request_type: str, start: datetime) -> datetime:
        return add_working_days(start, self._days(request_type)[0], self.holidays)

    def decision_due(self, request_type: str, start: datetime) -> datetime:
        return add_working_days(start, self._days(request_type)[1], self.holidays)


def parse_deadlines(text: str, holidays: frozenset[date] = frozenset()) -> Deadlines:
    """``removal=1/3,correction=2/5``: working days to first response / to decision."""
    by_type = dict(default_deadlines())
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, days = item.partition("=")
        first, _, decision = days.partition("/")
        if name.strip() not in by_type or not first.strip().isdigit() or not decision.strip().isdigit():
            raise ValueError(f"cannot read deadline {item!r}; write type=first/decision, e.g. removal=1/3")
        by_type[name.strip()] = (int(first), int(decision))
    return Deadlines(by_type, holidays)
