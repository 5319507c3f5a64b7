"""The outbox messages a service's change promises: each email and event, with a new id and the
change's time, built here so that every service words them the same way (corrigo.outbox says why)."""

from __future__ import annotations

from typing import Any

from corrigo import outbox
from corrigo.lifecycle import OUTCOME_LABELS, Outcome
from corrigo.model import CorrectionRequest, iso
from corrigo.outbox import OutboxMessage
from corrigo.spam import acknowledged
from services.ports import Clock, NewId

RESOLVED = "CorrectionResolved"  # the EventBridge detail-type the CMS listens for (adapters.events)


class Promises:
    def __init__(self, new_id: NewId, clock: Clock) -> None:
        self.new_id = new_id
        self.clock = clock

    def email(self, request: CorrectionRequest, kind: str, occasion: str = "", **extra: Any) -> OutboxMessage:
        """``kind`` about ``request``, as Notifier.notify(request, kind, occasion, **extra) sends it."""
        return outbox.email(self.new_id(), request.reference, kind, iso(self.clock()), occasion, **extra)

    def outcome(self, request: CorrectionRequest, reply: str, at: str, **extra: Any) -> OutboxMessage:
        """The requester told the decision (``at``: the decision's time, one email per decision)."""
        decided = Outcome(str(request.outcome))
        return self.email(
            request,
            "outcome",
            occasion=f"{decided.value}@{at}",
            reply=reply,
            outcome_label=OUTCOME_LABELS[decided][request.language],
            **extra,
        )

    def resolved(self, request: CorrectionRequest, at: str) -> OutboxMessage:
        """`CorrectionResolved` for the site's CMS; ``resolved_at`` (with the reference) identifies
        the decision, for consumers to drop repeats."""
        detail = {
            "reference": request.reference,
            "article_url": str(request.fields.get("article_url", "")),
            "outcome": str(request.outcome),
            "public_note": request.public_note or "",
            "resolved_at": at,
        }
        return outbox.event(self.new_id(), request.reference, RESOLVED, iso(self.clock()), detail)

    def acknowledgement(self, request: CorrectionRequest) -> list[OutboxMessage]:
        """The acknowledgement a screened request is owed (none for a bot): promised with the move
        that screened it, so it is sent once, whoever redelivers the intake message."""
        if not acknowledged(request):
            return []
        # A request is linked or not when screened, never both: one of the two kinds, once.
        if request.merged_into:
            return [self.email(request, "acknowledgement_linked", primary=request.merged_into)]
        return [self.email(request, "acknowledgement")]
