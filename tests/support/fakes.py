"""In-memory fakes of the services' ports (functions/services/ports.py), for unit tests without AWS.

They keep the rules the real repositories keep in DynamoDB conditions (a write is refused when the
request moved meanwhile, a reference or an Idempotency-Key or a mail is taken in once, a rate-limit
counter refuses when full), and they record each write call with the outbox messages it carried, so
a test can say "this change and its email were one write".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from corrigo.articles import article_key
from corrigo.conflicts import ExistingSubmission, ReferenceTaken
from corrigo.errors import ConcurrentChange, IdempotencyKeyReused, RateLimited
from corrigo.history import History
from corrigo.lifecycle import AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.ratelimit import Counter
from corrigo.reply_templates import ReplyTemplate
from corrigo.review import Note
from corrigo.review_queue import QueueCursor, QueueFilter, matches, queue_position
from corrigo.search_tokens import SearchHits, request_tokens, search_tokens
from corrigo.spam import is_spam


@dataclass(frozen=True)
class Call:
    """One write the service made, and the outbox messages that rode in it."""

    name: str
    reference: str
    outbox: tuple[OutboxMessage, ...] = ()

    def __post_init__(self) -> None:
        for message in self.outbox:
            # The outbox table stores plain data only (DynamoDB's types): a dataclass in a payload
            # would fail the real transaction.
            json.dumps(dict(message.payload))


@dataclass
class FakeStore:
    """The requests table: requests, events, notes, links, mail markers, Idempotency-Keys, counters."""

    requests: dict[str, CorrectionRequest] = field(default_factory=dict)
    events: dict[str, list[AuditEvent]] = field(default_factory=dict)
    notes: dict[str, list[Note]] = field(default_factory=dict)
    idempotency: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # Set by a test to make the next write fail as a concurrent writer would.
    fail_next_write: Exception | None = None

    def __post_init__(self) -> None:
        self.markers = FakeMailMarkers(self)
        self.links = FakeDuplicateLinks(self)

    # ---- what a test reads -------------------------------------------------------------------

    @property
    def outbox(self) -> list[OutboxMessage]:
        return [message for call in self.calls for message in call.outbox]

    def add(self, request: CorrectionRequest, *events: AuditEvent) -> CorrectionRequest:
        self.requests[request.reference] = request
        self.events.setdefault(request.reference, []).extend(events)
        return request

    # ---- Requests: reading --------------------------------------------------------------------

    def get(self, reference: str) -> CorrectionRequest | None:
        return self.requests.get(reference)

    def get_many(self, references: Sequence[str]) -> list[CorrectionRequest]:
        return [self.requests[r] for r in dict.fromkeys(references) if r in self.requests]

    def find(self, text: str) -> SearchHits:
        """The search index (services.ports.SearchIndex): requests holding every token of ``text``."""
        wanted = set(search_tokens(text))
        return SearchHits(
            tuple(r for r, request in self.requests.items() if wanted <= set(request_tokens(request.fields)))
        )

    def history(self, reference: str) -> History:
        return History(
            self.requests.get(reference),
            sorted(self.events.get(reference, []), key=lambda e: e.at),
            sorted(self.notes.get(reference, []), key=lambda n: n.at),
        )

    def same_article(self, request: CorrectionRequest) -> list[dict[str, Any]]:
        url = str(request.fields.get("article_url", ""))
        if not url:
            return []
        others = [
            {
                "reference": other.reference,
                "status": other.status.value,
                "request_type": other.request_type,
                "created_at": other.created_at,
                "outcome": other.outcome,
            }
            for other in self.requests.values()
            if other.reference != request.reference
            and article_key(str(other.fields.get("article_url", ""))) == article_key(url)
        ]
        return sorted(others, key=lambda other: str(other["created_at"]), reverse=True)

    def stale_received(self, older_than: str) -> list[str]:
        return [
            r.reference for r in self.requests.values() if r.status is Status.RECEIVED and r.created_at < older_than
        ]

    def open_requests(self, statuses: Sequence[Status]) -> list[CorrectionRequest]:
        return [r for status in statuses for r in self.requests.values() if r.status is status]

    def list_queue(
        self, flt: QueueFilter, cursor: QueueCursor, *, editor_id: str, now: datetime
    ) -> tuple[list[CorrectionRequest], QueueCursor | None]:
        """One page in index order; the fake never pages further (tests hold few requests)."""
        shown = [
            r
            for r in self.requests.values()
            if r.status in flt.statuses and matches(r, flt, editor_id=editor_id, now=now)
        ]
        shown.sort(key=lambda r: queue_position(r.urgency, r.first_response_due, r.reference))
        return shown[: flt.limit], None

    def count_by_status(self, statuses: Sequence[Status]) -> dict[str, int]:
        """As the kept counters count: spam aside."""
        return {s.value: sum(1 for r in self.requests.values() if r.status is s and not is_spam(r)) for s in statuses}

    # ---- Requests: writing --------------------------------------------------------------------

    def create(
        self,
        request: CorrectionRequest,
        events: Sequence[AuditEvent],
        *,
        idempotency_key: str | None = None,
        fingerprint: str = "",
        mail_keys: Sequence[str] = (),
        limits: Sequence[Counter] = (),
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self._refuse_if_asked()
        if idempotency_key and idempotency_key in self.idempotency:
            reference, token, first_fingerprint = self.idempotency[idempotency_key]
            if first_fingerprint != fingerprint:
                raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
            raise ExistingSubmission(reference, token)
        first = self.markers.seen(mail_keys)
        if first is not None:
            raise first
        if request.reference in self.requests:
            raise ReferenceTaken(request.reference)
        for counter in limits:
            if self.counters.get((counter.pk, counter.sk), 0) >= counter.ceiling:
                raise RateLimited(counter.scope, counter.retry_after_seconds)
        for counter in limits:
            self.counters[(counter.pk, counter.sk)] = self.counters.get((counter.pk, counter.sk), 0) + 1
        if idempotency_key:
            self.idempotency[idempotency_key] = (request.reference, request.status_token, fingerprint)
        for key in mail_keys:
            self.markers.marks[key] = (request.reference, request.status_token)
        self.add(request, *events)
        self.calls.append(Call("create", request.reference, tuple(outbox)))

    def save_move(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self._write_move("save_move", before, after, event, outbox)

    def claim(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        stored = self.requests.get(before.reference)
        if stored is None or stored.status is not Status.QUEUED or stored.assignee is not None:
            raise ConcurrentChange(f"{before.reference} changed meanwhile")
        self._write_move("claim", before, after, event, ())

    def add_note(self, note: Note, event: AuditEvent) -> None:
        self._refuse_if_asked()
        if any(n.at == note.at and n.author == note.author for n in self.notes.get(note.reference, [])):
            raise ConcurrentChange(f"{note.reference}: a note at the same instant")
        self.notes.setdefault(note.reference, []).append(note)
        self.events.setdefault(note.reference, []).append(event)
        self.calls.append(Call("add_note", note.reference))

    def record_escalation(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self._refuse_if_asked()
        self._check_version(before)
        stored = self.requests[before.reference]
        self.requests[before.reference] = replace(stored, overdue=after.overdue, escalated=after.escalated)
        self.events.setdefault(before.reference, []).append(event)
        self.calls.append(Call("record_escalation", before.reference, tuple(outbox)))

    def _write_move(
        self,
        name: str,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        outbox: Sequence[OutboxMessage],
    ) -> None:
        self._refuse_if_asked()
        self._check_version(before)
        self.requests[after.reference] = after
        self.events.setdefault(after.reference, []).append(event)
        self.calls.append(Call(name, after.reference, tuple(outbox)))

    def _check_version(self, before: CorrectionRequest) -> None:
        stored = self.requests.get(before.reference)
        if stored is None or stored.version != before.version:
            raise ConcurrentChange(f"{before.reference} changed meanwhile")

    def _refuse_if_asked(self) -> None:
        if self.fail_next_write is not None:
            failure, self.fail_next_write = self.fail_next_write, None
            raise failure


class FakeMailMarkers:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.marks: dict[str, tuple[str, str]] = {}

    def seen(self, keys: Sequence[str]) -> ExistingSubmission | None:
        for key in keys:
            if key in self.marks:
                return ExistingSubmission(*self.marks[key])
        return None

    def remember(self, keys: Sequence[str], reference: str) -> None:
        for key in keys:
            self.marks.setdefault(key, (reference, ""))


class FakeDuplicateLinks:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.primaries: dict[str, tuple[str, int]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}

    def claim_primary(self, signature: str, reference: str, expires_at: int, now: int) -> str:
        held = self.primaries.get(signature)
        if held is None or held[1] < now or held[0] == reference:
            self.primaries[signature] = (reference, expires_at)
            return reference
        return held[0]

    def save_duplicate(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        link: dict[str, Any],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self.store._write_move("save_duplicate", before, after, event, outbox)
        self.links.setdefault(str(after.merged_into), []).append(dict(link))

    def linked(self, primary: str) -> list[dict[str, Any]]:
        return sorted(self.links.get(primary, []), key=lambda link: str(link["reference"]))


class FakeDesk:
    """The desk's store (services.ports.Desk): saved reply templates, a requester's other requests,
    and several steps written as one move, on the same FakeStore."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.templates: dict[str, ReplyTemplate] = {}

    def saved_template(self, outcome: str) -> ReplyTemplate | None:
        return self.templates.get(outcome)

    def save_template(self, template: ReplyTemplate) -> None:
        self.templates[template.outcome] = template

    def requester_requests(self, request: CorrectionRequest) -> list[dict[str, Any]]:
        address = request.requester_email.strip().lower()
        if not address:
            return []
        others = [
            other
            for other in self.store.requests.values()
            if other.reference != request.reference and other.requester_email.strip().lower() == address
        ]
        return [
            {"reference": o.reference, "status": o.status.value, "created_at": o.created_at}
            for o in sorted(others, key=lambda o: o.created_at, reverse=True)
        ]

    def save_moves(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        events: Sequence[AuditEvent],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self.store._refuse_if_asked()
        self.store._check_version(before)
        self.store.requests[after.reference] = after
        self.store.events.setdefault(after.reference, []).extend(events)
        self.store.calls.append(Call("save_moves", after.reference, tuple(outbox)))


@dataclass
class FakeQueue:
    sent: list[dict[str, Any]] = field(default_factory=list)

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


@dataclass
class FakeRawMail:
    bucket: str = "raw-mail"
    objects: dict[str, bytes] = field(default_factory=dict)

    def get(self, key: str, bucket: str | None = None) -> bytes:
        return self.objects[key]

    def put_attachment(self, key: str, data: bytes, *, filename: str, content_type: str) -> None:
        self.objects[key] = data


class Ids:
    """Message ids in order: message-1, message-2, …"""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"message-{self.count}"
