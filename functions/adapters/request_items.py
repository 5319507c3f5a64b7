"""The layout of a request's items in the requests table (docs/architecture.md, "Data"):

  REQ#<reference> / REQUEST              the request; queue_status + queue_order feed the `queue` GSI
  REQ#<reference> / EVENT#<at>#<action>  one audit event
  REQ#<reference> / NOTE#<at>#<editor>   an editor's internal note (never shown to the requester)
  REQ#<reference> / LINK#<ref>           a duplicate merged into it by screening (adapters.duplicate_links)
  REQ#<reference> / VIEW#<view>          the request's row in one view of the open queue (corrigo.queue_index)

Every write of a request also writes what is kept from it, in the same transaction: its views, its
search tokens (adapters.search_index) and the counts per status (adapters.queue_counters).

The `article` GSI (article_key) finds the other requests about the same article. The `privacy` GSI
(privacy_key, privacy_at) holds REQUESTER#<sha256(email)> on requests and RETENTION on the events
that resolved them (corrigo.privacy; adapters.privacy_store reads it).
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from adapters.dynamo import Dynamo, Item, Write
from adapters.queue_counters import counter_writes
from adapters.search_index import token_writes
from corrigo import privacy, queue_index, reports
from corrigo.articles import article_key
from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.review import Note

REQUEST_SK = "REQUEST"
VIEW_PREFIX = "VIEW#"
# What a view's row carries of the request: what the queue's row shows, nothing the requester wrote
# beyond it, no secret (status token), and no key of another index (a row must not be found there).
ROW_FIELDS = ("request_type", "article_title", "article_url", "requester_name")
NOT_IN_ROWS = ("source", "status_token", "article_key", "privacy_key", "privacy_at", "created_day")


def request_pk(reference: str) -> str:
    return f"REQ#{reference}"


def view_sk(view: str) -> str:
    return f"{VIEW_PREFIX}{view}"


def queue_order(request: CorrectionRequest) -> str:
    return queue_index.queue_order(request)


def request_item(request: CorrectionRequest) -> Item:
    item = {k: v for k, v in asdict(request).items() if v is not None}
    item["flags"] = list(request.flags)
    for name in ("overdue", "escalated"):
        item[name] = list(getattr(request, name))
    if request.fields.get("article_url"):
        item["article_key"] = article_key(str(request.fields["article_url"]))
    # The `privacy` index (issue 9): a requester's requests by the hash of their address, for export
    # and erasure; an erased request has no address and leaves the index.
    requester_key = privacy.requester_index_key(request.requester_email)
    if requester_key is not None:
        item.update(privacy_key=requester_key, privacy_at=request.created_at)
    item["status"] = request.status.value
    item.update(reports.index_attributes(request))  # the `created` index (reports, issue 11)
    item.update(
        pk=request_pk(request.reference),
        sk=REQUEST_SK,
        queue_status=queue_index.home_partition(request),
        queue_order=queue_order(request),
    )
    return item


def view_item(request: CorrectionRequest, view: str, partition: str, order: str) -> Item:
    item = {k: v for k, v in request_item(request).items() if k not in NOT_IN_ROWS}
    item["fields"] = {k: v for k, v in request.fields.items() if k in ROW_FIELDS}
    item.update(sk=view_sk(view), queue_status=partition, queue_order=order)
    return item


def kept_writes(db: Dynamo, before: CorrectionRequest | None, after: CorrectionRequest) -> list[Write]:
    """What is kept from a request besides itself, as a write goes from ``before`` (None: new) to
    ``after``: each view it is in put and each other one deleted, its search tokens, the counts."""
    entries = queue_index.view_entries(after)
    pk = request_pk(after.reference)
    views = [
        Write(db.put(view_item(after, view, *entries[view])) if view in entries else db.delete(pk, view_sk(view)))
        for view in queue_index.VIEWS
        if view in entries or (before is not None and view in queue_index.view_entries(before))
    ]
    tokens = token_writes(db, after.reference, before.fields if before is not None else None, after.fields)
    return [*views, *tokens, *counter_writes(db, before, after)]


def request_from_item(item: Item) -> CorrectionRequest:
    return CorrectionRequest(
        reference=item["reference"],
        status=Status(item["status"]),
        fields=dict(item.get("fields", {})),
        language=item.get("language", "zh"),
        channel=item.get("channel", "web"),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        urgency=int(item.get("urgency", 3)),
        first_response_due=item.get("first_response_due", ""),
        decision_due=item.get("decision_due", ""),
        status_token=item.get("status_token", ""),
        version=int(item.get("version", 1)),
        assignee=item.get("assignee"),
        outcome=item.get("outcome"),
        public_note=item.get("public_note"),
        flags=tuple(item.get("flags", ())),
        source=dict(item.get("source", {})),
        paused_at=item.get("paused_at"),
        first_response_at=item.get("first_response_at"),
        merged_into=item.get("merged_into"),
        overdue=tuple(item.get("overdue", ())),
        escalated=tuple(item.get("escalated", ())),
        screening=_plain(item.get("screening")),
        decided_at=item.get("decided_at"),
    )


def _plain(value: Any) -> Any:
    """DynamoDB gives numbers back as Decimal; the screening report holds integers only."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value)
    return value


def event_item(reference: str, event: AuditEvent) -> Item:
    item: Item = {
        "pk": request_pk(reference),
        "sk": f"EVENT#{event.at}#{event.action.value}",
        "at": event.at,
        "action": event.action.value,
        "actor": event.actor,
        "status_after": event.status_after.value,
        "detail": event.detail,
    }
    if event.status_before is not None:
        item["status_before"] = event.status_before.value
    if privacy.enters_resolution(event):
        # Sparse: only moves into `resolved` are in the `privacy` index under RETENTION, sorted by
        # time, so the retention sweep reads what is due and nothing else (services.privacy).
        item.update(privacy_key=privacy.RETENTION_INDEX_KEY, privacy_at=event.at)
    return item


def event_from_item(item: Item) -> AuditEvent:
    before = item.get("status_before")
    return AuditEvent(
        at=item["at"],
        action=Action(item["action"]),
        actor=item.get("actor", ""),
        status_before=Status(before) if before else None,
        status_after=Status(item["status_after"]),
        detail=item.get("detail", ""),
    )


def note_item(note: Note) -> Item:
    return {
        "pk": request_pk(note.reference),
        "sk": f"NOTE#{note.at}#{note.author}",
        "at": note.at,
        "author": note.author,
        "text": note.text,
    }


def note_from_item(reference: str, item: Item) -> Note:
    return Note(reference, item["at"], item.get("author", ""), item.get("text", ""))


def move_writes(
    db: Dynamo,
    before: CorrectionRequest,
    after: CorrectionRequest,
    event: AuditEvent,
    *,
    condition: tuple[str, dict[str, Any], dict[str, str]] | None = None,
) -> list[Write]:
    """The request after a change, only if nobody moved it meanwhile (and, when given, only if
    ``condition`` holds too: expression, values, names), the change's audit event, and what is kept
    from the request (kept_writes)."""
    expression, values = "version = :expected", {":expected": {"N": str(before.version)}}
    names = None
    if condition is not None:
        expression, values = f"{expression} AND {condition[0]}", {**values, **condition[1]}
        names = condition[2] or None
    changed = ConcurrentChange(f"{before.reference} changed meanwhile")
    return [
        Write(db.put(request_item(after), condition=expression, values=values, names=names), changed),
        Write(db.put(event_item(after.reference, event))),
        *kept_writes(db, before, after),
    ]
