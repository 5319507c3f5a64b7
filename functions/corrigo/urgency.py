"""Urgency and deadlines: removal and copyright first, then corrections, then the rest.

Deadlines count working days: weekends and the configured holidays are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

URGENCY_BY_TYPE = {"removal": 1, "copyright": 1, "correction": 2, "update": 3, "other": 3}
URGENCY_LABELS = {1: {"zh": "紧急", "en": "Urgent"}, 2: {"zh": "优先", "en": "High"}, 3: {"zh": "普通", "en": "Normal"}}

# Working days to first response / to decision, per request type, unless configured.
DEFAULT_DEADLINES = {"removal": (1, 3), "copyright": (1, 3), "correction": (2, 5), "update": (3, 10), "other": (3, 10)}


@dataclass(frozen=True)
class Deadlines:
    by_type: dict[str, tuple[int, int]]
    holidays: frozenset[date] = frozenset()

    def first_response_due(self, request_type: str, start: datetime) -> datetime:
        return add_working_days(start, self.by_type.get(request_type, (3, 10))[0], self.holidays)

    def decision_due(self, request_type: str, start: datetime) -> datetime:
        return add_working_days(start, self.by_type.get(request_type, (3, 10))[1], self.holidays)


def urgency_of(request_type: str) -> int:
    return URGENCY_BY_TYPE.get(request_type, 3)


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, days: int, holidays: frozenset[date] = frozenset()) -> datetime:
    """The same time of day, ``days`` working days later."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if is_working_day(moment.date(), holidays):
            remaining -= 1
    return moment


def parse_deadlines(text: str, holidays: frozenset[date] = frozenset()) -> Deadlines:
    """``removal=1/3,correction=2/5``: working days to first response / to decision."""
    by_type = dict(DEFAULT_DEADLINES)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, days = item.partition("=")
        first, _, decision = days.partition("/")
        if name.strip() not in DEFAULT_DEADLINES or not first.strip().isdigit() or not decision.strip().isdigit():
            raise ValueError(f"cannot read deadline {item!r}; write type=first/decision, e.g. removal=1/3")
        by_type[name.strip()] = (int(first), int(decision))
    return Deadlines(by_type, holidays)


def parse_holidays(text: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"holidays must be YYYY-MM-DD dates separated by commas: {exc}") from exc
