"""A requester's address that mail cannot reach (a bounce, or SES refusing it): the request says so."""

from __future__ import annotations

from datetime import datetime

from corrigo.lifecycle import Action, AuditEvent
from corrigo.model import CorrectionRequest
from corrigo.outbox import UNDELIVERABLE_FLAG


def mark_undeliverable(
    request: CorrectionRequest, *, actor: str, at: datetime, detail: str
) -> tuple[CorrectionRequest, AuditEvent]:
    """The request flagged (once) for editors to see, and the audit event; the status stays."""
    flags = request.flags if UNDELIVERABLE_FLAG in request.flags else (*request.flags, UNDELIVERABLE_FLAG)
    return request.record(Action.UNDELIVERABLE, actor=actor, at=at, detail=detail, flags=flags)
