"""How long each running deadline has left, in working days and hours, for the editors' page.

Counted on the newsroom's calendar (corrigo.workdays: Beijing dates, weekends, the configured
holidays), the one the deadlines were set on, so "1 working day left" here and the deadline sweep
never disagree. The page phrases these numbers; it never counts days itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from corrigo.deadlines import DECISION, FIRST_RESPONSE
from corrigo.lifecycle import Status
from corrigo.workdays import parse_time, working_time_between

WORKING_DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def time_left(
    due: str, now: datetime, holidays: frozenset[date] = frozenset(), paused_at: str | None = None
) -> dict[str, Any]:
    """Working time from ``now`` (or from when the clock was paused) to ``due``; past it, how far past."""
    moment = parse_time(paused_at) if paused_at else now
    deadline = parse_time(due)
    overdue = deadline < moment
    span = (
        working_time_between(deadline, moment, holidays)
        if overdue
        else working_time_between(moment, deadline, holidays)
    )
    days, rest = divmod(span, WORKING_DAY)
    return {"working_days": days, "hours": rest // HOUR, "overdue": overdue, "paused": bool(paused_at)}


def deadlines_left(
    request: Mapping[str, Any], now: datetime, holidays: frozenset[date] = frozenset()
) -> dict[str, dict[str, Any] | None]:
    """Each deadline of a queue row or case, None where no clock runs: the first response once given
    (or out of the queue), both once the request left the open queue. While the requester is asked,
    the clock stands still at the question (the answer moves both deadlines on by the pause)."""
    status = request.get("status")
    paused_at = request.get("paused_at") if status == Status.AWAITING_REQUESTER.value else None
    running = status in (Status.QUEUED.value, Status.IN_REVIEW.value, Status.AWAITING_REQUESTER.value)
    first_pending = status == Status.QUEUED.value and not request.get("first_response_at")
    first_due, decision_due = request.get("first_response_due"), request.get("decision_due")
    return {
        FIRST_RESPONSE: time_left(first_due, now, holidays) if first_pending and first_due else None,
        DECISION: time_left(decision_due, now, holidays, paused_at) if running and decision_due else None,
    }
