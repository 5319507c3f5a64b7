"""A correction request as the service keeps it: the requester's fields plus what happened since."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from corrigo.lifecycle import Action, AuditEvent, Status, next_status

# An audit event's detail is at most this long (a mail's text is cut, the raw mail keeps it whole).
MAX_DETAIL_CHARS = 5000


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class CorrectionRequest:
    reference: str
    status: Status
    fields: dict[str, Any]
    language: str
    channel: str
    created_at: str
    updated_at: str
    urgency: int
    first_response_due: str
    decision_due: str
    # A capability: whoever has it may read the status page. Compared in constant time.
    status_token: str
    version: int = 1
    assignee: str | None = None
    outcome: str | None = None
    public_note: str | None = None
    # Why screening held it, what the sender's mail said about itself, and so on: editors read these.
    flags: tuple[str, ...] = ()
    source: dict[str, Any] = field(default_factory=dict)
    # The review queue (corrigo.review): when the deadline clock was paused by a question, when an
    # editor first took the request up, which request absorbed it, and the deadline breaches the
    # sweep has seen and escalated (each escalated once).
    paused_at: str | None = None
    first_response_at: str | None = None
    merged_into: str | None = None
    overdue: tuple[str, ...] = ()
    escalated: tuple[str, ...] = ()
    # Screening's report (corrigo.screening.ScreeningReport.as_dict): verdict, score and each finding
    # with its explanation in zh/en, so an editor reads why a request was held.
    screening: dict[str, Any] | None = None
    # When the request last entered `resolved` (None while it is not): the reports' time to decision.
    decided_at: str | None = None

    @property
    def request_type(self) -> str:
        return str(self.fields.get("request_type", "other"))

    @property
    def requester_email(self) -> str:
        return str(self.fields.get("requester_email", ""))

    def move(
        self, action: Action, *, actor: str, at: datetime, detail: str = "", **changes: Any
    ) -> tuple[CorrectionRequest, AuditEvent]:
        """The request after ``action``, and the audit event that records it.

        Raises TransitionNotAllowed when the current status does not allow the action.
        """
        target = next_status(self.status, action)
        if target is not Status.RESOLVED:
            changes.setdefault("decided_at", None)
        elif self.status is not Status.RESOLVED:
            changes.setdefault("decided_at", iso(at))
        moved = replace(self, status=target, updated_at=iso(at), version=self.version + 1, **changes)
        return moved, AuditEvent(
            at=iso(at), action=action, actor=actor, status_before=self.status, status_after=target, detail=detail
        )

    def record(
        self, action: Action, *, actor: str, at: datetime, detail: str = "", **changes: Any
    ) -> tuple[CorrectionRequest, AuditEvent]:
        """The request after a change that is not a transition (a mail kept, a bounce, a confirmed
        address), and its audit event: the status stays, the version moves on like any change."""
        recorded = replace(self, updated_at=iso(at), version=self.version + 1, **changes)
        return recorded, AuditEvent(
            at=iso(at),
            action=action,
            actor=actor,
            status_before=self.status,
            status_after=self.status,
            detail=detail[:MAX_DETAIL_CHARS],
        )
