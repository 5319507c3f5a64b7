"""The editor-in-chief's report for a range of Beijing dates (GET /editor/api/reports)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from corrigo import reports
from corrigo.reports import ReportRow


class CreatedRequests(Protocol):
    def created_between(self, first: date, last: date) -> Sequence[ReportRow]: ...


class ReportsService:
    def __init__(self, store: CreatedRequests, clock: Callable[[], datetime], holidays: frozenset[date]) -> None:
        self.store = store
        self.clock = clock
        self.holidays = holidays

    def report(self, start: str | None, end: str | None, language: str = "zh") -> dict[str, Any]:
        """The numbers for ``start``…``end`` (YYYY-MM-DD, Beijing dates, both included); BadQuery
        names the field of a bad, reversed or too long range."""
        first, last = reports.parse_range(start, end, language)
        rows = self.store.created_between(first, last)
        return reports.build_report(rows, first, last, self.clock(), self.holidays)
