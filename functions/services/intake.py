"""Take a request in: validate, store with its first audit event, and hand it to the intake worker."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.queues import Queue
from adapters.rate_limits import transaction_guards
from adapters.requests_table import ExistingSubmission, ReferenceTaken, RequestsTable
from corrigo import formtoken
from corrigo.config import Settings
from corrigo.errors import InvalidRequest, NotFound, ServiceUnavailable
from corrigo.intake import new_request, payload_fingerprint
from corrigo.lifecycle import AuditEvent, Status
from corrigo.model import CorrectionRequest, utc_now
from corrigo.ratelimit import counters
from corrigo.references import is_reference, token_matches
from corrigo.validation import validate
from observability import logger

REFERENCE_ATTEMPTS = 3


def split_form_token(raw: Any) -> tuple[Any, object]:
    """The submission without the form's render-time token (not a request field), and the token."""
    if not isinstance(raw, Mapping) or formtoken.FIELD_NAME not in raw:
        return raw, None
    rest = {name: value for name, value in raw.items() if name != formtoken.FIELD_NAME}
    return rest, raw[formtoken.FIELD_NAME]


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
        """Store a valid request and queue it; raise InvalidRequest naming every problem otherwise,
        RateLimited when the requester's address or IP has sent too many in the current window."""
        raw, token = split_form_token(raw)
        source = dict(source or {})
        if channel == "web":
            # Checked now (the secret is here), judged by screening in the worker with the other rules.
            source["form"] = formtoken.check(token, self.settings.form_signing_secret, time.time()).as_dict()
        checked = validate(raw, domains=self.settings.site_domains, language=language)
        if not checked.ok:
            raise InvalidRequest(checked.errors, checked.data, language)
        data = dict(checked.data)
        data.setdefault("language", language)
        fingerprint = payload_fingerprint(data)
        for _ in range(REFERENCE_ATTEMPTS):
            new = new_request(data, channel=channel, now=utc_now(), deadlines=self.settings.deadlines, source=source)
            try:
                self.table.create(
                    new.request,
                    new.event,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    guards=self._rate_limit_guards(data, source),
                )
            except ReferenceTaken:
                continue
            except ExistingSubmission as first:
                return self._answer_retry(first)
            self._enqueue(new.request.reference)
            return Accepted(new.request.reference, new.request.status.value, new.request.status_token)
        raise ServiceUnavailable("could not draw a free reference")

    def _rate_limit_guards(
        self, data: dict[str, Any], source: dict[str, Any]
    ) -> list[tuple[dict[str, Any], Exception]]:
        """The rate-limit counters, as writes inside the request's own transaction: no extra call."""
        found = counters(
            self.settings.rate_limits,
            email=str(data.get("requester_email", "")),
            ip=str(source.get("ip", "")),
            now=time.time(),
        )
        return transaction_guards(self.settings.rate_limit_table_name, found)

    def _answer_retry(self, first: ExistingSubmission) -> Accepted:
        """A retry with the same Idempotency-Key: the same answer, and a nudge if the first never got queued."""
        request = self.table.get(first.reference)
        status = request.status.value if request else Status.RECEIVED.value
        if request is None or request.status is Status.RECEIVED:
            self._enqueue(first.reference)
        return Accepted(first.reference, status, first.status_token)

    def enqueue(self, reference: str) -> None:
        """Hand a stored `received` request to the intake worker: email intake's requests go the web's way."""
        self._enqueue(reference)

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
