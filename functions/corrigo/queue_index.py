"""Where a request sits in the `queue` index, and which partition of it a filter reads.

The index is keyed (queue_status, queue_order); queue_status names a partition, not a status:

  open                      every open request (queued, in review, awaiting the requester)
  <status>                  each other status: quarantined, incomplete, resolved, received
  spam#<open or status>     the same for requests screening judged spam (shown only when asked)

queue_order is ``<urgency>#<first-response deadline>#<reference>``: a page of the open queue is
one Query, most urgent first, then earliest due. An open, not-spam request is also in four views,
small copies of it under its own key (adapters.request_items), so each filter is one partition:

  status#<status>           open requests in one status                  ordered as the queue
  type#<request type>       open requests of one type                    ordered as the queue
  assignee#<editor>         open requests an editor holds ("mine")       ordered as the queue
  due                       open requests by their running deadline      ``<deadline>#<reference>``

``due`` orders by the earliest deadline still running (corrigo.deadlines: the first response while
queued and unanswered, the decision while queued or in review; none while the requester is asked,
which sorts last), so "overdue" is ``queue_order < now`` and "not overdue" ``queue_order > now``.

A filter asking for several things reads the one partition that narrows it most; the rest is checked
in code (corrigo.review_queue.matches), as is every search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from corrigo.lifecycle import OPEN_STATUSES, Status
from corrigo.model import CorrectionRequest, iso
from corrigo.review_queue import QueueFilter, queue_position
from corrigo.spam import is_spam

OPEN = "open"
SPAM_PREFIX = "spam#"
VIEWS = ("status", "type", "assignee", "due")
# Sorts after any ISO time: a request with no deadline running is never overdue.
NO_DEADLINE = "~"


def home_partition(request: CorrectionRequest) -> str:
    group = OPEN if request.status in OPEN_STATUSES else request.status.value
    return f"{SPAM_PREFIX}{group}" if is_spam(request) else group


def queue_order(request: CorrectionRequest) -> str:
    """Most urgent first, then the earliest deadline, so the queue's head is what to do next."""
    return queue_position(request.urgency, request.first_response_due, request.reference)


def running_deadline(request: CorrectionRequest) -> str:
    """The earliest deadline whose clock runs (the one corrigo.deadlines.breaches would see passed first)."""
    running: list[str] = []
    if request.status is Status.QUEUED and request.first_response_at is None and request.first_response_due:
        running.append(request.first_response_due)
    if request.status in (Status.QUEUED, Status.IN_REVIEW) and request.decision_due:
        running.append(request.decision_due)
    return min(running) if running else NO_DEADLINE


def view_entries(request: CorrectionRequest) -> dict[str, tuple[str, str]]:
    """Each view the request is in, as (partition, order); none once it leaves the open queue or is spam."""
    if request.status not in OPEN_STATUSES or is_spam(request):
        return {}
    order = queue_order(request)
    views = {
        "status": (f"status#{request.status.value}", order),
        "type": (f"type#{request.request_type}", order),
        "due": ("due", f"{running_deadline(request)}#{request.reference}"),
    }
    if request.assignee:
        views["assignee"] = (f"assignee#{request.assignee}", order)
    return views


@dataclass(frozen=True)
class PartitionScan:
    """One Query of the index: a partition, an optional range on queue_order, and the view item it
    reads (None: the requests themselves). ``exact``: every item it returns matches the filter, so
    a page read is a page shown."""

    partition: str
    view: str | None = None
    begins_with: str | None = None
    before: str | None = None
    after: str | None = None
    exact: bool = False


def scans(flt: QueueFilter, *, editor_id: str, now: datetime) -> list[PartitionScan]:
    """The partitions a filter reads: one unless it asks for several statuses beyond the open queue
    (or for spam too). The narrowest view wins; what it does not narrow, matches() checks."""
    wanted = set(flt.statuses)
    open_only = wanted <= set(OPEN_STATUSES) and not flt.include_spam
    urgency = f"{flt.urgency}#" if flt.urgency is not None else None
    if open_only:
        single_status = len(wanted) == 1
        status_cut = not single_status and wanted != set(OPEN_STATUSES)
        others = [flt.request_type, flt.overdue is not None, flt.q, status_cut]
        if flt.mine:
            rest = [*others, single_status]
            return [PartitionScan(f"assignee#{editor_id}", "assignee", urgency, exact=not any(rest))]
        if flt.overdue is not None:
            stamp = iso(now)
            rest = [flt.request_type, flt.q, status_cut, single_status, urgency]
            bound = {"before": stamp} if flt.overdue else {"after": stamp}
            return [PartitionScan("due", "due", exact=not any(rest), **bound)]
        if flt.request_type:
            rest = [flt.q, status_cut, single_status]
            return [PartitionScan(f"type#{flt.request_type}", "type", urgency, exact=not any(rest))]
        if single_status:
            (status,) = wanted
            return [PartitionScan(f"status#{status.value}", "status", urgency, exact=not flt.q)]
        return [PartitionScan(OPEN, None, urgency, exact=not (flt.q or status_cut))]
    groups = dict.fromkeys(OPEN if status in OPEN_STATUSES else status.value for status in flt.statuses)
    partitions = [*groups, *(f"{SPAM_PREFIX}{group}" for group in groups if flt.include_spam)]
    return [PartitionScan(partition, None, urgency) for partition in partitions]


# ---- the cursor's entries, as the edge reads them back -------------------------------------------

_PARTITION = re.compile(r"^(?:spam#)?[a-z_]+$|^(?:status|type)#[a-z_]+$|^assignee#[^\s#]{1,254}$|^due$")
_POSITION = re.compile(r"^(?:[1-3]#[0-9TZ:.\-]*|[0-9TZ:.\-]+|~)#CR-\d{4}-[A-Z0-9]{6}$")


def is_cursor_entry(partition: str, position: object) -> bool:
    """Whether a (partition, position) pair read back from a client's cursor is one this service
    writes: the position becomes part of a DynamoDB start key."""
    return bool(_PARTITION.match(partition)) and (
        position is None or (isinstance(position, str) and bool(_POSITION.match(position)))
    )
