"""What the editors' API adds to the review service's documents for the page to phrase: the time
left on each deadline (working days and hours, counted on the server's calendar) and why a request
was held in quarantine. Data only; the page turns it into words in the editor's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from corrigo.lifecycle import Action
from web.time_left import deadlines_left
from web.vocabulary import quarantine_reason


def queue_row(item: Mapping[str, Any], now: datetime, holidays: frozenset[date]) -> dict[str, Any]:
    return {**item, "time_left": deadlines_left(item, now, holidays)}


def case_view(case: Mapping[str, Any], now: datetime, holidays: frozenset[date]) -> dict[str, Any]:
    """The case with its deadlines' time left, and each quarantine's reason labelled by kind: on the
    history rows that held it, and as `quarantine` (the latest, with its words) for the case view."""
    history = [
        {**entry, "quarantine_reason": quarantine_reason(str(entry.get("detail") or ""))}
        if entry.get("action") == Action.SCREEN_QUARANTINE.value
        else dict(entry)
        for entry in case.get("history", [])
    ]
    held = [entry for entry in history if "quarantine_reason" in entry]
    quarantine = None
    if held:
        latest = held[-1]
        reason = latest["quarantine_reason"]
        # Screening's own words are its report, shown beside with each rule labelled.
        quarantine = {"reason": reason, "text": "" if reason == "screening" else str(latest.get("detail") or "")}
    return {**case, "history": history, "quarantine": quarantine, "time_left": deadlines_left(case, now, holidays)}
