"""Duplicates: link a screened request to an open one about the same passage, and promise every
linked requester the outcome when the primary is decided.

``outcomes_for_linked`` is the fan-out for the editors' decisions: its messages ride in the
primary's own decision write, so each linked requester is told once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from corrigo import duplicates
from corrigo.articles import article_key
from corrigo.lifecycle import Action, Outcome, Status
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.spam import judged_spam
from observability import logger
from services.ports import Clock, DuplicateLinks, Requests
from services.promises import Promises

# Statuses a primary can be in for a newcomer to join it: still open, or held by screening.
JOINABLE = (Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER, Status.QUARANTINED)
# How many recent requests about the same article are compared passage by passage.
MAX_CANDIDATES = 20


class Duplicates:
    def __init__(
        self, requests: Requests, links: DuplicateLinks, promises: Promises, window: timedelta, clock: Clock
    ) -> None:
        self.requests = requests
        self.links = links
        self.promises = promises
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
            expires = int((now + self.window).timestamp())
            first = self.links.claim_primary(signature, request.reference, expires, int(now.timestamp()))
            if first != request.reference:
                found = self._joinable(self._root(first), request)
                if found is not None:
                    return found
        for other in self.requests.same_article(request)[:MAX_CANDIDATES]:
            if not duplicates.within_window(str(other.get("created_at", "")), now, self.window):
                continue
            if other.get("status") not in {s.value for s in JOINABLE}:
                continue
            candidate = self.requests.get(str(other["reference"]))
            if candidate is None or candidate.created_at > request.created_at:
                continue
            if duplicates.similarity(candidate.fields, request.fields) >= duplicates.SIMILARITY_THRESHOLD:
                found = self._joinable(candidate, request)
                if found is not None:
                    return found
        return None

    def _root(self, reference: str) -> CorrectionRequest | None:
        """Follow merged_into to the request that carries on (a few hops at most)."""
        request = self.requests.get(reference)
        for _ in range(5):
            if request is None or not request.merged_into:
                return request
            request = self.requests.get(request.merged_into)
        return request

    def _joinable(self, primary: CorrectionRequest | None, request: CorrectionRequest) -> CorrectionRequest | None:
        if primary is None or primary.reference == request.reference or primary.status not in JOINABLE:
            return None
        return primary if judged_spam(primary) == judged_spam(request) else None

    def link(
        self, screened: CorrectionRequest, before: CorrectionRequest, primary: CorrectionRequest
    ) -> CorrectionRequest:
        """Resolve ``screened`` as merged into ``primary``, with its audit event, its link on the
        primary and its acknowledgement (it joined another request), in one write."""
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
        self.links.save_duplicate(before, moved, event, link, outbox=self.promises.acknowledgement(moved))
        logger.info("duplicate linked", extra={"reference": moved.reference, "primary": primary.reference})
        return moved


def linked_requesters(links: DuplicateLinks, primary: str) -> list[dict[str, Any]]:
    """Every request merged into ``primary`` by screening (reference, requester, language): what
    the editors' case view lists beside the primary's own requester."""
    return [
        {
            k: item.get(k)
            for k in ("reference", "requester_name", "requester_email", "language", "created_at", "verdict")
        }
        for item in links.linked(primary)
    ]


def outcomes_for_linked(
    requests: Requests,
    links: DuplicateLinks,
    promises: Promises,
    primary: CorrectionRequest,
    reply: str,
    at: str,
) -> list[OutboxMessage]:
    """The primary's outcome for every requester linked to it (spam links get nothing): each linked
    request's own reference and status link, the primary's outcome and public note."""
    if not primary.outcome:
        return []
    messages = []
    for link in links.linked(primary.reference):
        if link.get("verdict") == "spam":
            continue
        request = requests.get(str(link["reference"]))
        if request is None:
            continue
        decided = replace(request, outcome=primary.outcome)
        messages.append(promises.outcome(decided, reply, at, public_note=primary.public_note or ""))
    return messages
