"""Duplicates: link a screened request to an open one about the same passage, and tell every
linked requester the outcome when the primary is decided.

``tell_linked_requesters`` is the fan-out for the editors' resolve: call it after the primary's
outcome email (it is idempotent per requester, like every email, so a retried resolve is safe).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from adapters.requests_table import RequestsTable, article_key
from corrigo import duplicates
from corrigo.lifecycle import OUTCOME_LABELS, Action, Outcome, Status
from corrigo.model import CorrectionRequest, utc_now
from observability import logger
from services.notify import Notifier

# Statuses a primary can be in for a newcomer to join it: still open, or held by screening.
JOINABLE = (Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER, Status.QUARANTINED)
# How many recent requests about the same article are compared passage by passage.
MAX_CANDIDATES = 20


def is_spam(request: CorrectionRequest) -> bool:
    return bool(request.screening and request.screening.get("verdict") == "spam")


class Duplicates:
    def __init__(self, table: RequestsTable, window: timedelta, clock: Callable[[], datetime] = utc_now) -> None:
        self.table = table
        self.window = window
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.window > timedelta(0)

    def primary_for(self, request: CorrectionRequest) -> CorrectionRequest | None:
        """The open request this one duplicates, or None. Spam only joins spam and the rest only the rest,
        so a real request never disappears behind a flood, nor a flood behind a real request."""
        if not self.enabled:
            return None
        key = article_key(str(request.fields.get("article_url", "")))
        now = self.clock()
        signature = duplicates.signature(key, request.fields)
        if signature is not None:
            expires = int(time.time() + self.window.total_seconds())
            first = self.table.claim_duplicate(signature, request.reference, expires, int(time.time()))
            if first != request.reference:
                found = self._joinable(self._root(first), request)
                if found is not None:
                    return found
        for other in self.table.same_article(request)[:MAX_CANDIDATES]:
            if not duplicates.within_window(str(other.get("created_at", "")), now, self.window):
                continue
            if other.get("status") not in {s.value for s in JOINABLE}:
                continue
            candidate = self.table.get(str(other["reference"]))
            if candidate is None or candidate.created_at > request.created_at:
                continue
            if duplicates.similarity(candidate.fields, request.fields) >= duplicates.SIMILARITY_THRESHOLD:
                found = self._joinable(candidate, request)
                if found is not None:
                    return found
        return None

    def _root(self, reference: str) -> CorrectionRequest | None:
        """Follow merged_into to the request that carries on (a few hops at most)."""
        request = self.table.get(reference)
        for _ in range(5):
            if request is None or not request.merged_into:
                return request
            request = self.table.get(request.merged_into)
        return request

    def _joinable(self, primary: CorrectionRequest | None, request: CorrectionRequest) -> CorrectionRequest | None:
        if primary is None or primary.reference == request.reference or primary.status not in JOINABLE:
            return None
        return primary if is_spam(primary) == is_spam(request) else None

    def link(
        self, screened: CorrectionRequest, before: CorrectionRequest, primary: CorrectionRequest
    ) -> CorrectionRequest:
        """Resolve ``screened`` as merged into ``primary``, with its audit event and its link on the primary."""
        moved, event = screened.move(
            Action.SCREEN_DUPLICATE,
            actor="screening",
            at=self.clock(),
            detail=f"duplicate of {primary.reference}",
            outcome=Outcome.MERGED.value,
            merged_into=primary.reference,
        )
        link = {
            "reference": moved.reference,
            "requester_name": str(moved.fields.get("requester_name", "")),
            "requester_email": moved.requester_email,
            "language": moved.language,
            "created_at": moved.created_at,
            "verdict": str((moved.screening or {}).get("verdict", "")),
        }
        self.table.save_duplicate(before, moved, event, link)
        logger.info("duplicate linked", extra={"reference": moved.reference, "primary": primary.reference})
        return moved


def linked_requesters(table: RequestsTable, primary: str) -> list[dict[str, Any]]:
    """Every request merged into ``primary`` by screening (reference, requester, language): what
    the editors' case view lists beside the primary's own requester."""
    return [
        {
            k: item.get(k)
            for k in ("reference", "requester_name", "requester_email", "language", "created_at", "verdict")
        }
        for item in table.linked(primary)
    ]


def tell_linked_requesters(
    table: RequestsTable, notifier: Notifier, primary: CorrectionRequest, reply: str, at: str
) -> int:
    """Email the primary's outcome to every requester linked to it (spam links get nothing).
    Returns how many were told. Call it from the editors' resolve, after the primary's own email."""
    if not primary.outcome:
        return 0
    outcome = Outcome(primary.outcome)
    told = 0
    for link in table.linked(primary.reference):
        if link.get("verdict") == "spam":
            continue
        request = table.get(str(link["reference"]))
        if request is None:
            continue
        # The linked request's own reference and status link, the primary's outcome and note.
        shown = replace(request, public_note=primary.public_note)
        notifier.notify(
            shown,
            "outcome",
            occasion=f"{outcome.value}@{at}",
            reply=reply,
            outcome_label=OUTCOME_LABELS[outcome][request.language],
        )
        told += 1
    return told
