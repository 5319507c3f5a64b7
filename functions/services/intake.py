"""Take a request in: validate, store with its first audit event, and hand it to the intake worker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corrigo import formtoken
from corrigo.config import Settings
from corrigo.conflicts import ExistingSubmission, ReferenceTaken
from corrigo.errors import InvalidRequest, NotFound, ServiceUnavailable
from corrigo.intake import new_request, payload_fingerprint
from corrigo.lifecycle import AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.ratelimit import Counter, counters
from corrigo.references import is_reference, token_matches
from corrigo.validation import validate
from observability import logger
from services.ports import Clock, IntakeQueue, Requests

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
    def __init__(self, settings: Settings, requests: Requests, queue: IntakeQueue, clock: Clock) -> None:
        self.settings = settings
        self.requests = requests
        self.queue = queue
        self.clock = clock

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
            source["form"] = formtoken.check(
                token, self.settings.form_signing_secret, self.clock().timestamp()
            ).as_dict()
        checked = validate(raw, domains=self.settings.site_domains, language=language)
        if not checked.ok:
            raise InvalidRequest(checked.errors, checked.data, language)
        data = dict(checked.data)
        data.setdefault("language", language)
        fingerprint = payload_fingerprint(data)
        for _ in range(REFERENCE_ATTEMPTS):
            new = new_request(data, channel=channel, now=self.clock(), deadlines=self.settings.deadlines, source=source)
            try:
                self.requests.create(
                    new.request,
                    [new.event],
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    limits=self._rate_limits(data, source),
                )
            except ReferenceTaken:
                continue
            except ExistingSubmission as first:
                return self._answer_retry(first)
            self._enqueue(new.request.reference)
            return Accepted(new.request.reference, new.request.status.value, new.request.status_token)
        raise ServiceUnavailable("could not draw a free reference")

    def _rate_limits(self, data: dict[str, Any], source: dict[str, Any]) -> list[Counter]:
        """The rate-limit counters this submission counts against, in the request's own write."""
        return counters(
            self.settings.rate_limits,
            email=str(data.get("requester_email", "")),
            ip=str(source.get("ip", "")),
            now=self.clock().timestamp(),
        )

    def _answer_retry(self, first: ExistingSubmission) -> Accepted:
        """A retry with the same Idempotency-Key: the same answer, and a nudge if the first never got queued."""
        request = self.requests.get(first.reference)
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
        request, events, _ = self.requests.history(reference)
        if request is None or not token_matches(token, request.status_token):
            raise NotFound(reference)
        return request, [e for e in events if e.public]
