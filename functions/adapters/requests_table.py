"""DynamoDB: requests, their audit events and notes (the layout is adapters.request_items'), and the
outbox messages each change promises, written in the change's own transaction.

A request's creation also writes what guards it (its Idempotency-Key, its mail's markers, the
rate-limit counters): each kind of item builds its own writes (adapters.idempotency_keys,
adapters.mail_markers, adapters.rate_limits) and this module runs them as one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from adapters.dynamo import Dynamo, Item, StoreError, Write
from adapters.idempotency_keys import IdempotencyKeys
from adapters.mail_markers import MailMarkers
from adapters.outbox_table import OutboxTable
from adapters.queue_counters import QueueCounters
from adapters.rate_limits import transaction_guards
from adapters.request_items import (
    REQUEST_SK,
    event_from_item,
    event_item,
    kept_writes,
    move_writes,
    note_from_item,
    note_item,
    request_from_item,
    request_item,
    request_pk,
    view_sk,
)
from corrigo.articles import article_key
from corrigo.config import Settings
from corrigo.conflicts import ExistingSubmission, ReferenceTaken
from corrigo.errors import ConcurrentChange
from corrigo.history import History
from corrigo.lifecycle import OPEN_STATUSES, AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.queue_index import OPEN, SPAM_PREFIX, PartitionScan, scans
from corrigo.ratelimit import Counter
from corrigo.review import Note
from corrigo.review_queue import PartitionPage, QueueCursor, QueueFilter, matches, merge_pages, reference_of_position

__all__ = ["ExistingSubmission", "ReferenceTaken", "RequestsTable", "StoreError"]

# DynamoDB's ceiling on the items of one TransactWriteItems.
MAX_TRANSACTION_ITEMS = 100


class RequestsTable:
    def __init__(
        self,
        table_name: str,
        dynamodb: Any = None,
        *,
        outbox: OutboxTable | None = None,
        rate_limit_table_name: str = "",
    ) -> None:
        self.db = Dynamo(table_name, dynamodb)
        self.outbox = outbox
        self.rate_limit_table_name = rate_limit_table_name

    @classmethod
    def for_settings(cls, settings: Settings) -> RequestsTable:
        """The table as a function's settings name it, with its outbox and rate-limit tables."""
        outbox = OutboxTable(settings.outbox_table_name) if settings.outbox_table_name else None
        return cls(settings.table_name, outbox=outbox, rate_limit_table_name=settings.rate_limit_table_name)

    @property
    def table_name(self) -> str:
        return self.db.table_name

    # ---- reading ---------------------------------------------------------------------------------

    def get(self, reference: str) -> CorrectionRequest | None:
        item = self.db.get(request_pk(reference), REQUEST_SK)
        return request_from_item(item) if item else None

    def partition(self, reference: str) -> list[Item]:
        """Every item under the request's key (the request, events, notes, links), in sort-key order."""
        return list(
            self.db.query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": request_pk(reference)}},
                ConsistentRead=True,
            )
        )

    def history(self, reference: str) -> History:
        """The request, its audit events and its internal notes, oldest first, in one query."""
        items = self.partition(reference)
        request = next((request_from_item(i) for i in items if i["sk"] == REQUEST_SK), None)
        events = [event_from_item(i) for i in items if i["sk"].startswith("EVENT#")]
        notes = [note_from_item(reference, i) for i in items if i["sk"].startswith("NOTE#")]
        return History(request, events, notes)

    def same_article(self, request: CorrectionRequest) -> list[dict[str, Any]]:
        """Other requests about the same article (the `article` index), newest first."""
        url = str(request.fields.get("article_url", ""))
        if not url:
            return []
        items = self.db.query(
            IndexName="article",
            KeyConditionExpression="article_key = :a",
            ExpressionAttributeValues={":a": {"S": article_key(url)}},
        )
        others = [
            {key: item.get(key) for key in ("reference", "status", "request_type", "created_at", "outcome")}
            for item in items
            if item.get("reference") != request.reference
        ]
        return sorted(others, key=lambda other: str(other.get("created_at", "")), reverse=True)

    def get_many(self, references: Sequence[str]) -> list[CorrectionRequest]:
        """The requests that exist among ``references``, in no particular order (BatchGetItem)."""
        items = self.db.batch_get([(request_pk(reference), REQUEST_SK) for reference in dict.fromkeys(references)])
        return [request_from_item(item) for item in items]

    def stale_received(self, older_than: str) -> list[str]:
        """References still `received` since before ``older_than``: their intake message was lost."""
        items = self.db.query(
            IndexName="queue",
            KeyConditionExpression="queue_status = :s",
            FilterExpression="created_at < :t",
            ExpressionAttributeValues={":s": {"S": Status.RECEIVED.value}, ":t": {"S": older_than}},
        )
        return [str(item["reference"]) for item in items]

    def open_requests(self, statuses: Sequence[Status]) -> list[CorrectionRequest]:
        """Every request in ``statuses`` (spam included): what the deadline sweep looks at."""
        groups = dict.fromkeys(OPEN if status in OPEN_STATUSES else status.value for status in statuses)
        partitions = [*groups, *(f"{SPAM_PREFIX}{group}" for group in groups)]
        found = [
            request_from_item(item)
            for partition in partitions
            for item in self.db.query(
                IndexName="queue",
                KeyConditionExpression="queue_status = :s",
                ExpressionAttributeValues={":s": {"S": partition}},
            )
        ]
        return [request for request in found if request.status in statuses]

    # ---- the review queue (issue 4; one partition a page: issue 11) --------------------------------

    def list_queue(
        self, flt: QueueFilter, cursor: QueueCursor, *, editor_id: str, now: datetime
    ) -> tuple[list[CorrectionRequest], QueueCursor | None]:
        """One page of the queue in index order, and the cursor for the next.

        corrigo.queue_index picks the partition (or, for several statuses beyond the open queue, the
        partitions) of the `queue` index the filter reads and its key condition; whatever the key does
        not narrow is decided by corrigo.review_queue.matches, so the rules live in one place."""
        pages = [
            self._partition_page(scan, flt, cursor.after.get(scan.partition), editor_id=editor_id, now=now)
            for scan in scans(flt, editor_id=editor_id, now=now)
            if scan.partition not in cursor.done
        ]
        return merge_pages(pages, flt.limit, cursor)

    def _partition_page(
        self, scan: PartitionScan, flt: QueueFilter, after: str | None, *, editor_id: str, now: datetime
    ) -> PartitionPage:
        condition = "queue_status = :s"
        values: dict[str, Any] = {":s": {"S": scan.partition}}
        if scan.begins_with is not None:
            condition += " AND begins_with(queue_order, :o)"
            values[":o"] = {"S": scan.begins_with}
        elif scan.before is not None:
            condition += " AND queue_order < :o"
            values[":o"] = {"S": scan.before}
        elif scan.after is not None:
            condition += " AND queue_order > :o"
            values[":o"] = {"S": scan.after}
        query: dict[str, Any] = {
            "IndexName": "queue",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            # A page and one more item (to know whether there is a next page): for an exact scan, and
            # for a check in code that most items pass, one Query is the page.
            "Limit": flt.limit + 1,
        }
        if after:
            query["ExclusiveStartKey"] = {
                "pk": {"S": request_pk(reference_of_position(after))},
                "sk": {"S": view_sk(scan.view) if scan.view else REQUEST_SK},
                "queue_status": {"S": scan.partition},
                "queue_order": {"S": after},
            }
        found: list[tuple[str, CorrectionRequest]] = []
        for item in self._read(query, more=100):
            request = request_from_item(item)
            if scan.exact or matches(request, flt, editor_id=editor_id, now=now):
                if len(found) == flt.limit:
                    return PartitionPage(scan.partition, found, exhausted=False)
                found.append((str(item["queue_order"]), request))
        return PartitionPage(scan.partition, found, exhausted=True)

    def _read(self, query: dict[str, Any], *, more: int) -> Iterator[Item]:
        """The items of ``query``: its first page as asked, then pages of ``more``, so a selective
        check in code costs a few round trips, not one per page of items it skips."""
        first = next(self.db.pages(**query))
        yield from (self.db.decode(item) for item in first.get("Items", []))
        if "LastEvaluatedKey" in first:
            yield from self.db.query(**{**query, "Limit": more, "ExclusiveStartKey": first["LastEvaluatedKey"]})

    def count_by_status(self, statuses: Sequence[Status]) -> dict[str, int]:
        """How many requests (spam aside) each status holds: the kept counters, one Query."""
        counted = QueueCounters(self.db).read()
        return {status.value: counted.get(status.value, 0) for status in statuses}

    # ---- writing -----------------------------------------------------------------------------------

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
        """Write a new request, its first events and what guards its creation, in one transaction.

        Raises, in this order of precedence: ExistingSubmission when the Idempotency-Key or one of the
        mail's keys was taken in before (a retry gets its first answer even when a guard would refuse
        it now), IdempotencyKeyReused, ReferenceTaken, and RateLimited when one of ``limits`` (the
        rate-limit counters, in their own table) is full."""
        writes: list[Write] = []
        if idempotency_key:
            keys = IdempotencyKeys(self.db)
            writes.append(keys.write(idempotency_key, request.reference, request.status_token, fingerprint))
        writes.extend(MailMarkers(self.db).writes(mail_keys, request.reference, request.status_token))
        writes.append(Write(self.db.put_new(request_item(request)), ReferenceTaken(request.reference)))
        writes.extend(Write(self.db.put(event_item(request.reference, event))) for event in events)
        writes.extend(kept_writes(self.db, None, request))
        if limits and not self.rate_limit_table_name:
            raise StoreError("no rate-limit table configured (RATE_LIMIT_TABLE_NAME) for a limited creation")
        guards = transaction_guards(self.rate_limit_table_name, limits)
        writes.extend(Write(element, refusal) for element, refusal in guards)
        self.transact(writes, outbox)

    def save_move(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Write a change and its audit event together, only if nobody moved the request meanwhile."""
        self.transact(move_writes(self.db, before, after, event), outbox)

    def claim(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        """save_move, and also only if the request is still queued and unheld in the table: the
        version check alone already lets exactly one of two simultaneous claims through; the
        status check makes the rule readable in the condition itself."""
        condition = (
            "#status = :queued AND attribute_not_exists(assignee)",
            {":queued": {"S": Status.QUEUED.value}},
            {"#status": "status"},
        )
        self.transact(move_writes(self.db, before, after, event, condition=condition))

    def add_note(self, note: Note, event: AuditEvent) -> None:
        """The note and its audit event, together."""
        same_instant = ConcurrentChange(f"{note.reference}: a note at the same instant")
        self.transact(
            [
                Write(self.db.put_new(note_item(note)), same_instant),
                Write(self.db.put(event_item(note.reference, event))),
            ]
        )

    def record_escalation(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Store the breaches the sweep escalated, without bumping the version: a sweep must not make
        an editor's concurrent decision fail. The condition stops it writing over a newer move."""
        update = {
            "Update": {
                "TableName": self.db.table_name,
                "Key": self.db.encode({"pk": request_pk(before.reference), "sk": REQUEST_SK}),
                "UpdateExpression": "SET overdue = :o, escalated = :e",
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {
                    ":o": self.db.value(list(after.overdue)),
                    ":e": self.db.value(list(after.escalated)),
                    ":v": {"N": str(before.version)},
                },
            }
        }
        writes = [
            Write(update, ConcurrentChange(f"{before.reference} changed meanwhile")),
            Write(self.db.put(event_item(before.reference, event))),
        ]
        self.transact(writes, outbox)

    def transact(self, writes: Sequence[Write], outbox: Sequence[OutboxMessage] = ()) -> None:
        """The writes and the outbox messages they promise, in one transaction.

        A transaction holds at most 100 items; a change that promises more (an outcome for hundreds
        of linked requesters) carries as many as fit, and the rest follow at once in transactions of
        their own (only a crash between the two calls could lose them)."""
        promised = [self._outbox_write(message) for message in outbox]
        room = MAX_TRANSACTION_ITEMS - len(writes)
        self.db.transact([*writes, *promised[:room]])
        for start in range(room, len(promised), MAX_TRANSACTION_ITEMS):
            self.db.transact(promised[start : start + MAX_TRANSACTION_ITEMS])

    def _outbox_write(self, message: OutboxMessage) -> Write:
        if self.outbox is None:
            raise StoreError("no outbox table configured (OUTBOX_TABLE_NAME) for a change that promises mail")
        # Never refused: each message has a new id (the condition only stops a replayed transaction).
        return Write(self.outbox.put_write(message, int(time.time())))
