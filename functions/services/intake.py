"""Take a request in: validate, store with its first audit event, and hand it to the intake worker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.queues import Queue
from adapters.requests_table import ExistingSubmission, ReferenceTaken, RequestsTable
from corrigo.config import Settings
from corrigo.errors import InvalidRequest, NotFound, ServiceUnavailable
from corrigo.intake import new_request, payload_fingerprint
from corrigo.lifecycle import AuditEvent, Status
from corrigo.model import CorrectionRequest, utc_now
from corrigo.references import is_reference, token_matches
from corrigo.validation import validate
from observability import logger

REFERENCE_ATTEMPTS = 3


@dataclass(frozen=True)
class Accepted:
    reference: str
    status: str
    status_token: str


class IntakeService:
    def __init__(self, settings: Settings, table: RequestsTable, queue: Queue) -> None:
        self.settings = settings
        self.table = table
        self.queue = queue

    def submit(
        self,
        raw: Mapping[str, Any] | Any,
        *,
        channel: str,
        language: str,
        idempotency_key: str | None = None,
        source: dict[str, Any] | None = None,
    ) -> Accepted:
        """Store a valid request and queue it; raise InvalidRequest naming every problem otherwise."""
        checked = validate(raw, domains=self.settings.site_domains, language=language)
        if not checked.ok:
            raise InvalidRequest(checked.errors, checked.data, language)
        data = dict(checked.data)
        data.setdefault("language", language)
        fingerprint = payload_fingerprint(data)
        for _ in range(REFERENCE_ATTEMPTS):
            new = new_request(data, channel=channel, now=utc_now(), deadlines=self.settings.deadlines, source=source)
            try:
                self.table.create(new.request, new.event, idempotency_key=idempotency_key, fingerprint=fingerprint)
            except ReferenceTaken:
                continue
            except ExistingSubmission as first:
                return self._answer_retry(first)
            self._enqueue(new.request.reference)
            return Accepted(new.request.reference, new.request.status.value, new.request.status_token)
        raise ServiceUnavailable("could not draw a free reference")

    def _answer_retry(self, first: ExistingSubmission) -> Accepted:
        """A retry with the same Idempotency-Key: the same answer, and a nudge if the first never got queued."""
        request = self.table.get(first.reference)
        status = request.status.value if request else Status.RECEIVED.value
        if request is None or request.status is Status.RECEIVED:
            self._enqueue(first.reference)
        return Accepted(first.reference, status, first.status_token)

    def _enqueue(self, reference: str) -> None:
        # The request is already stored, so a queue failure must not turn into an error for the
        # requester: the deadline sweep re-queues requests left in `received`.
        try:
            self.queue.send({"reference": reference})
        except ServiceUnavailable:
            logger.exception(
                "intake queue unavailable; request stored and left for the sweep", extra={"reference": reference}
            )

    def status(self, reference: str, token: str | None) -> tuple[CorrectionRequest, list[AuditEvent]]:
        """The request and its public history, if the token matches; NotFound alike for both failures."""
        if not is_reference(reference):
            raise NotFound(reference)
        request, events = self.table.get_with_history(reference)
        if request is None or not token_matches(token, request.status_token):
            raise NotFound(reference)
        return request, [e for e in events if e.public]
