"""A request with everything recorded about it: what the case view and the status page read."""

from __future__ import annotations

from typing import NamedTuple

from corrigo.lifecycle import AuditEvent
from corrigo.model import CorrectionRequest
from corrigo.review import Note


class History(NamedTuple):
    request: CorrectionRequest | None
    events: list[AuditEvent]  # oldest first
    notes: list[Note]  # oldest first; editors only
