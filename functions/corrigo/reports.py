"""The editor-in-chief's numbers for a range of Beijing dates: what came in, how fast the desk was,
how often it was late, which articles drew requests, and what screening caught.

Pure: the rows come from the `created` index (adapters.request_reports), the clock and the holidays
are passed in. Times count working hours on the newsroom's one calendar (corrigo.workdays): the
hours that fell on Beijing working days, weekends and holidays left out.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from corrigo.errors import BadQuery
from corrigo.model import CorrectionRequest, iso
from corrigo.workdays import BEIJING, beijing_date, parse_time, working_time_between

MAX_RANGE_DAYS = 366
TOP_ARTICLES = 10
TITLE_CHARS = 200  # of an article's title kept on the index: enough to recognise it in a table
HELD_VERDICTS = ("suspect", "spam")
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such a cell
# is shown as text by a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Chinese intact) only when it starts with this

_RANGE_MESSAGES = {
    "date": {"zh": "应为日期 YYYY-MM-DD（北京时间）", "en": "must be a date, YYYY-MM-DD (Beijing time)"},
    "reversed": {"zh": "不能早于开始日期", "en": "must not be before the start date"},
    "too_long": {
        "zh": f"统计区间最长 {MAX_RANGE_DAYS} 天",
        "en": f"the range may span {MAX_RANGE_DAYS} days at most",
    },
}


def index_attributes(request: CorrectionRequest) -> dict[str, str]:
    """What the request item carries for the `created` index: its Beijing creation day (the index's
    key) and the few fields reports read, at the item's top level (an index projects no map's member)."""
    attributes = {
        "created_day": beijing_date(parse_time(request.created_at)).isoformat(),
        "request_type": request.request_type,
    }
    verdict = (request.screening or {}).get("verdict")
    if verdict:
        attributes["screening_verdict"] = str(verdict)
    title = str(request.fields.get("article_title") or "")[:TITLE_CHARS]
    if title:
        attributes["article_title"] = title
    if request.fields.get("article_url"):
        attributes["article_url"] = str(request.fields["article_url"])
    return attributes


# ---- the range ---------------------------------------------------------------------------------------


def parse_range(start: str | None, end: str | None, language: str = "zh") -> tuple[date, date]:
    """``from`` and ``to`` (both Beijing dates, both included). BadQuery names the field at fault."""
    messages = {key: text.get(language, text["zh"]) for key, text in _RANGE_MESSAGES.items()}
    days = []
    for name, text in (("from", start), ("to", end)):
        try:
            days.append(date.fromisoformat((text or "").strip()))
        except ValueError as exc:
            raise BadQuery(name, messages["date"]) from exc
    first, last = days
    if last < first:
        raise BadQuery("to", messages["reversed"])
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise BadQuery("to", messages["too_long"])
    return first, last


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def range_start(first: date) -> datetime:
    """Beijing's midnight opening ``first``."""
    return datetime(first.year, first.month, first.day, tzinfo=BEIJING)


# ---- the rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One request as the `created` index projects it."""

    reference: str
    created_at: str
    request_type: str
    channel: str
    status: str
    outcome: str | None = None
    first_response_at: str | None = None
    decided_at: str | None = None
    first_response_due: str = ""
    decision_due: str = ""
    escalated: bool = False
    screening_verdict: str | None = None
    article_key: str | None = None
    article_url: str | None = None
    article_title: str | None = None

    @property
    def held_by_screening(self) -> bool:
        return self.status == "quarantined" or self.screening_verdict in HELD_VERDICTS

    @property
    def confirmed_held(self) -> bool:
        """An editor agreed with screening: resolved as rejected without ever being taken up (a request
        released to the queue is claimed before it is decided, so it has a first response)."""
        return (
            self.held_by_screening
            and self.status == "resolved"
            and self.outcome == "rejected"
            and self.first_response_at is None
        )

    @property
    def released(self) -> bool:
        """Held by screening, then found genuine by an editor: screening's false positive."""
        return self.held_by_screening and self.status != "quarantined" and not self.confirmed_held

    @property
    def on_desk(self) -> bool:
        """Reached the editors' queue: anything but what screening held and nobody released."""
        return not self.held_by_screening or self.released


# ---- numbers -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the nearest ranks (spreadsheets' PERCENTILE.INC): the median of
    1, 2, 3, 4 is 2.5; the 90th percentile of 1…10 is 9.1. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def working_hours(start: str, end: str, holidays: frozenset[date]) -> float:
    seconds = working_time_between(parse_time(start), parse_time(end), holidays).total_seconds()
    return seconds / 3600


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def spread(hours: Sequence[float]) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {"count": len(hours), "median": rounded(percentile(hours, 0.5)), "p90": rounded(percentile(hours, 0.9))}


def tally(values: Iterable[str]) -> list[dict[str, Any]]:
    """Counts, most first, ties by key, so the same data gives the same table."""
    counted = Counter(values)
    return [{"key": key, "count": n} for key, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]


def missed_deadline(row: ReportRow, now: str) -> bool:
    """Late at least once: escalated by the sweep, answered or decided after the due time, or open
    and past it now. A request paused for the requester is not late (its due time moves on)."""
    if row.escalated:
        return True
    if row.first_response_due:
        answered = row.first_response_at or (now if row.status == "queued" else None)
        if answered and answered > row.first_response_due:
            return True
    if row.decision_due:
        decided = row.decided_at or (now if row.status in ("queued", "in_review") else None)
        if decided and decided > row.decision_due:
            return True
    return False


def editor_decided(row: ReportRow) -> bool:
    """Decided by an editor: resolved with a decision time; a duplicate merged at screening (never
    taken up) would count as decided in no time, so it is left out."""
    return bool(row.decided_at) and not (row.outcome == "merged" and row.first_response_at is None)


def top_articles(rows: Iterable[ReportRow], limit: int = TOP_ARTICLES) -> list[dict[str, Any]]:
    counted: Counter[str] = Counter()
    shown: dict[str, ReportRow] = {}
    for row in rows:
        if row.article_key:
            counted[row.article_key] += 1
            shown.setdefault(row.article_key, row)
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [
        {
            "article_key": key,
            "url": shown[key].article_url or "",
            "title": shown[key].article_title or "",
            "count": n,
        }
        for key, n in ranked
    ]


def build_report(
    rows: Sequence[ReportRow], first: date, last: date, now: datetime, holidays: frozenset[date]
) -> dict[str, Any]:
    now_iso = iso(now)
    desk = [row for row in rows if row.on_desk]
    answered = [working_hours(row.created_at, row.first_response_at, holidays) for row in desk if row.first_response_at]
    decided = [working_hours(row.created_at, str(row.decided_at), holidays) for row in desk if editor_decided(row)]
    late = sum(1 for row in desk if missed_deadline(row, now_iso))
    held = [row for row in rows if row.held_by_screening]
    released = sum(1 for row in held if row.released)
    confirmed = sum(1 for row in held if row.confirmed_held)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "generated_at": now_iso,
        "total": len(desk),
        "by_type": tally(row.request_type for row in desk),
        "by_channel": tally(row.channel for row in desk),
        "by_outcome": tally(str(row.outcome) for row in desk if row.status == "resolved" and row.outcome),
        "undecided": sum(1 for row in desk if row.status != "resolved"),
        "first_response_hours": spread(answered),
        "decision_hours": spread(decided),
        "overdue": {"count": late, "of": len(desk), "share": share(late, len(desk))},
        "top_articles": top_articles(desk),
        "screening": {
            "held": len(held),
            "released": released,
            "confirmed": confirmed,
            "pending": len(held) - released - confirmed,
            "false_positive_share": share(released, len(held)),
        },
    }


# ---- CSV ---------------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as the text it is, never as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_document(rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 (CRLF, quoted where needed), every cell neutralised, with the BOM Excel needs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return BOM + out.getvalue()
