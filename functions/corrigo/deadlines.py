"""The deadline clock's verdicts: which deadlines a request has missed, and their escalation.

Deadlines are set at intake (corrigo.urgency) and moved by a paused question (corrigo.review.answer);
both count working time on the newsroom's calendar (corrigo.workdays).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest, iso

FIRST_RESPONSE = "first_response"
DECISION = "decision"


@dataclass(frozen=True)
class Breach:
    """A deadline passed. Its key names the deadline and its due time, so a due date moved by an
    answer is a new breach (escalated again), while the same breach is escalated once."""

    kind: str
    due: str

    @property
    def key(self) -> str:
        return f"{self.kind}@{self.due}"


def breaches(request: CorrectionRequest, now: datetime) -> list[Breach]:
    """Deadlines this request has missed. The clock is paused while the requester is asked, and
    a request out of the queue (resolved, quarantined, incomplete) has no deadline running."""
    found: list[Breach] = []
    if request.status not in (Status.QUEUED, Status.IN_REVIEW):
        return found
    stamp = iso(now)
    if (
        request.status is Status.QUEUED
        and request.first_response_at is None
        and request.first_response_due
        and request.first_response_due < stamp
    ):
        found.append(Breach(FIRST_RESPONSE, request.first_response_due))
    if request.decision_due and request.decision_due < stamp:
        found.append(Breach(DECISION, request.decision_due))
    return found


def is_overdue(request: CorrectionRequest, now: datetime) -> bool:
    return bool(breaches(request, now))


def to_escalate(request: CorrectionRequest, now: datetime) -> list[Breach]:
    """Breaches not escalated yet: the sweep emails editors about these, and only these."""
    return [b for b in breaches(request, now) if b.key not in request.escalated]


def mark_escalated(
    request: CorrectionRequest, found: Sequence[Breach], now: datetime
) -> tuple[CorrectionRequest, AuditEvent]:
    """The request with its breaches recorded, and the audit event of the escalation."""
    keys = tuple(b.key for b in found)
    after = replace(
        request, overdue=tuple(sorted({*request.overdue, *keys})), escalated=tuple(sorted({*request.escalated, *keys}))
    )
    event = AuditEvent(
        at=iso(now),
        action=Action.ESCALATE,
        actor="deadline-sweep",
        status_before=request.status,
        status_after=request.status,
        detail=", ".join(keys),
    )
    return after, event
