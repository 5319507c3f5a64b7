"""What the services need from storage and queues: small interfaces, met by the adapters in
production and by in-memory fakes in the services' unit tests (tests/support/fakes.py).

Every write that changes a request takes the outbox messages the change promises (``outbox``) and
stores them in the same transaction, or neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from corrigo.conflicts import ExistingSubmission
from corrigo.history import History
from corrigo.lifecycle import AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.ratelimit import Counter
from corrigo.reply_templates import ReplyTemplate
from corrigo.review import Note
from corrigo.review_queue import QueueCursor, QueueFilter
from corrigo.search_tokens import SearchHits

Clock = Callable[[], datetime]
NewId = Callable[[], str]


class Requests(Protocol):
    def get(self, reference: str) -> CorrectionRequest | None: ...

    def history(self, reference: str) -> History: ...

    def get_many(self, references: Sequence[str]) -> list[CorrectionRequest]:
        """Those of ``references`` that exist, in any order."""

    def same_article(self, request: CorrectionRequest) -> list[dict[str, Any]]: ...

    def stale_received(self, older_than: str) -> list[str]: ...

    def open_requests(self, statuses: Sequence[Status]) -> list[CorrectionRequest]: ...

    def list_queue(
        self, flt: QueueFilter, cursor: QueueCursor, *, editor_id: str, now: datetime
    ) -> tuple[list[CorrectionRequest], QueueCursor | None]: ...

    def count_by_status(self, statuses: Sequence[Status]) -> dict[str, int]:
        """Requests per status, spam aside, without reading the requests."""

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
        """Counts one against each of ``limits`` in the same write. Raises, first to last:
        ExistingSubmission, IdempotencyKeyReused, ReferenceTaken, RateLimited (a full counter)."""

    def save_move(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Raises ConcurrentChange when ``before`` is no longer what is stored."""

    def claim(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None: ...

    def add_note(self, note: Note, event: AuditEvent) -> None: ...

    def record_escalation(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """The sweep's marks, without a new version; ConcurrentChange if the request moved meanwhile."""


class ReplyTemplates(Protocol):
    """The admins' saved reply per outcome (issue 11); None: the file's default applies."""

    def saved_template(self, outcome: str) -> ReplyTemplate | None: ...

    def save_template(self, template: ReplyTemplate) -> None: ...


class Desk(ReplyTemplates, Protocol):
    """What the editors' desk adds to Requests: related requests, and multi-step changes."""

    def requester_requests(self, request: CorrectionRequest) -> list[dict[str, Any]]: ...

    def save_moves(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        events: Sequence[AuditEvent],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Several steps (claim, then resolve) as one write; ConcurrentChange if ``before`` moved."""


class SearchIndex(Protocol):
    """The editors' search (adapters.search_index keeps it in DynamoDB; an OpenSearch adapter could
    answer the same)."""

    def find(self, text: str) -> SearchHits:
        """References that may match ``text``: a superset, each checked again by the caller."""


class MailMarkers(Protocol):
    def seen(self, keys: Sequence[str]) -> ExistingSubmission | None: ...

    def remember(self, keys: Sequence[str], reference: str) -> None: ...


class DuplicateLinks(Protocol):
    def claim_primary(self, signature: str, reference: str, expires_at: int, now: int) -> str: ...

    def save_duplicate(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        link: dict[str, Any],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None: ...

    def linked(self, primary: str) -> list[dict[str, Any]]: ...


class IntakeQueue(Protocol):
    def send(self, message: dict[str, Any]) -> None: ...


class RawMail(Protocol):
    bucket: str

    def get(self, key: str, bucket: str | None = None) -> bytes: ...

    def put_attachment(self, key: str, data: bytes, *, filename: str, content_type: str) -> None: ...
