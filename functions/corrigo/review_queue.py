"""The editors' queue: which requests a filter shows, and one page across the index's partitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from corrigo.deadlines import is_overdue
from corrigo.lifecycle import OPEN_STATUSES, Status
from corrigo.model import CorrectionRequest
from corrigo.search_tokens import SEARCHED_FIELDS, normalise
from corrigo.spam import is_spam

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# What the queue shows unless asked: work that is waiting for an editor or the requester.
# `quarantined` (suspected spam or abuse) only when asked for, so it never crowds the queue.
DEFAULT_STATUSES: tuple[Status, ...] = OPEN_STATUSES
LISTABLE_STATUSES: tuple[Status, ...] = (
    *OPEN_STATUSES,
    Status.QUARANTINED,
    Status.INCOMPLETE,
    Status.RESOLVED,
    Status.RECEIVED,
)


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[Status, ...] = DEFAULT_STATUSES
    request_type: str | None = None
    urgency: int | None = None
    overdue: bool | None = None
    mine: bool = False
    q: str = ""
    limit: int = DEFAULT_PAGE_SIZE
    # Requests screening judged certain spam stay out of every view unless asked for.
    include_spam: bool = False


def matches(request: CorrectionRequest, flt: QueueFilter, *, editor_id: str, now: datetime) -> bool:
    """Whether a request belongs on the filtered page. Status and urgency are also the index's key
    (the adapter narrows the query with them); the rest is decided here, in one place."""
    if request.status not in flt.statuses:
        return False
    if is_spam(request) and not flt.include_spam:
        return False
    if flt.urgency is not None and request.urgency != flt.urgency:
        return False
    if flt.request_type and request.request_type != flt.request_type:
        return False
    if flt.mine and request.assignee != editor_id:
        return False
    if flt.overdue is not None and is_overdue(request, now) != flt.overdue:
        return False
    if flt.q:
        needle = normalise(flt.q)
        haystack = [str(request.fields.get(name, "")) for name in SEARCHED_FIELDS]
        if needle != request.reference.casefold() and not any(needle in normalise(text) for text in haystack):
            return False
    return True


@dataclass(frozen=True)
class QueueCursor:
    """Where the next page starts, per status partition of the index: after the `queue_order` of
    the last item shown from it (None: from the start), and which partitions are used up. The HTTP
    edge writes it as an opaque token and reads it back (handlers/editor_request.py)."""

    after: dict[str, str | None] = field(default_factory=dict)
    done: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PartitionPage:
    """What the adapter found in one status partition: matching items in index order (each with its
    `queue_order`), and whether the partition has nothing after them."""

    status: str
    items: list[tuple[str, CorrectionRequest]]
    exhausted: bool


def merge_pages(
    pages: Sequence[PartitionPage], limit: int, previous: QueueCursor
) -> tuple[list[CorrectionRequest], QueueCursor | None]:
    """One page across status partitions, in queue order (most urgent, then earliest due), and the
    cursor for the next. Each partition resumes after the last item it contributed, so an item is
    never skipped nor shown twice however the partitions interleave."""
    merged = sorted(
        ((order, page.status, request) for page in pages for order, request in page.items), key=lambda entry: entry[0]
    )
    shown = merged[:limit]
    after = dict(previous.after)
    done = set(previous.done)
    for order, status, _ in shown:
        after[status] = order
    for page in pages:
        contributed = sum(1 for _, status, _ in shown if status == page.status)
        if page.exhausted and contributed == len(page.items):
            done.add(page.status)
    listed = {page.status for page in pages}
    if listed <= done:
        return [request for _, _, request in shown], None
    return [request for _, _, request in shown], QueueCursor(after, frozenset(done))


def queue_position(urgency: int, first_response_due: str, reference: str) -> str:
    """The index's sort key, as adapters.requests_table.queue_order writes it."""
    return f"{urgency}#{first_response_due}#{reference}"


def reference_of_position(position: str) -> str:
    return position.rsplit("#", 1)[-1]
