"""DynamoDB: requests, their audit events and idempotency keys, in one table.

Item layout (pk / sk):
  REQ#<reference> / REQUEST              the request; queue_status + queue_order feed the `queue` GSI
  REQ#<reference> / EVENT#<at>#<action>  one audit event
  IDEMPOTENCY#<sha256(key)> / KEY        an Idempotency-Key and the request it created (24 h TTL)
  REQ#<reference> / NOTE#<at>#<editor>   an editor's internal note (never shown to the requester)
  MAIL#<sha256(key)> / KEY               a received mail (object key or Message-ID) and its request (30 d TTL)
  COUNTER#<name> / WINDOW#<window>       a counter with TTL (automatic replies per sender per day)
The `article` GSI (article_key) finds the other requests about the same article.
The `privacy` GSI (privacy_key, privacy_at) holds REQUESTER#<sha256(email)> on requests and RETENTION on
the events that resolved them (corrigo.privacy; adapters.privacy_store reads it).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, is_transient, unavailable
from corrigo import privacy
from corrigo.errors import ConcurrentChange, IdempotencyKeyReused
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.review import Note, PartitionPage, QueueCursor, QueueFilter, matches, merge_pages, reference_of_position

REQUEST_SK = "REQUEST"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
# Longer than a message can live in the mail queue and its dead-letter queue (4 + 14 days), so even a
# redrive weeks later finds the marker of the first delivery.
MAIL_MARKER_TTL_SECONDS = 30 * 24 * 3600


class StoreError(Exception):
    """DynamoDB refused a call for a reason that retrying will not fix (a bug or a misconfiguration)."""


class ReferenceTaken(Exception):
    """The random reference already exists: the caller draws another."""


class ExistingSubmission(Exception):
    """The Idempotency-Key was used before, for the same content: answer as the first time."""

    def __init__(self, reference: str, status_token: str) -> None:
        super().__init__(reference)
        self.reference = reference
        self.status_token = status_token


def _serializer() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def request_pk(reference: str) -> str:
    return f"REQ#{reference}"


def queue_order(request: CorrectionRequest) -> str:
    """Most urgent first, then the earliest deadline, so the queue's head is what to do next."""
    return f"{request.urgency}#{request.first_response_due}#{request.reference}"


def article_key(url: str) -> str:
    """The same article however its link was written: host lower-cased, no fragment, no trailing slash."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def request_item(request: CorrectionRequest) -> dict[str, Any]:
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
    item.update(
        pk=request_pk(request.reference),
        sk=REQUEST_SK,
        queue_status=request.status.value,
        queue_order=queue_order(request),
    )
    return item


def request_from_item(item: dict[str, Any]) -> CorrectionRequest:
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
    )


def _plain(value: Any) -> Any:
    """DynamoDB gives numbers back as Decimal; the screening report holds integers only."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value)
    return value


def event_item(reference: str, event: AuditEvent) -> dict[str, Any]:
    item: dict[str, Any] = {
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


def event_from_item(item: dict[str, Any]) -> AuditEvent:
    before = item.get("status_before")
    return AuditEvent(
        at=item["at"],
        action=Action(item["action"]),
        actor=item.get("actor", ""),
        status_before=Status(before) if before else None,
        status_after=Status(item["status_after"]),
        detail=item.get("detail", ""),
    )


def idempotency_pk(key: str) -> str:
    return "IDEMPOTENCY#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def mail_marker_pk(key: str) -> str:
    return "MAIL#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class RequestsTable:
    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._serialize, self._deserialize = _serializer()

    @property
    def dynamodb(self) -> Any:
        if self._dynamodb is None:
            self._dynamodb = client("dynamodb")
        return self._dynamodb

    def _encode(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: self._serialize.serialize(v) for k, v in item.items()}

    def _decode(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: self._deserialize.deserialize(v) for k, v in item.items()}

    def create(
        self,
        request: CorrectionRequest,
        event: AuditEvent,
        *,
        idempotency_key: str | None = None,
        fingerprint: str = "",
        guards: Sequence[tuple[dict[str, Any], Exception]] = (),
    ) -> None:
        """Write the request, its first event and its Idempotency-Key in one transaction (one call).

        ``guards`` ride along in the same transaction: each a write (the rate-limit counters) and the
        error to raise when its condition fails, so a check costs no call of its own."""
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(request_item(request)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(request.reference, event))}},
        ]
        if idempotency_key:
            key_item = {
                "pk": idempotency_pk(idempotency_key),
                "sk": "KEY",
                "reference": request.reference,
                "status_token": request.status_token,
                "fingerprint": fingerprint,
                "expiration": int(time.time()) + IDEMPOTENCY_TTL_SECONDS,
            }
            writes.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": self._encode(key_item),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        first_guard = len(writes)
        writes.extend(write for write, _ in guards)
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise self._wrap(exc) from exc
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            # A retry of an accepted submission gets its first answer even when a guard would refuse it now.
            if idempotency_key and len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise self._existing_submission(idempotency_key or "", fingerprint) from exc
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ReferenceTaken(request.reference) from exc
            for (_, refusal), code in zip(guards, reasons[first_guard:], strict=False):
                if code == "ConditionalCheckFailed":
                    raise refusal from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    def _existing_submission(self, key: str, fingerprint: str) -> Exception:
        item = self._get(idempotency_pk(key), "KEY")
        if item is None:  # expired between the two calls: treat as a conflict the client can retry
            return ConcurrentChange("idempotency key vanished; retry")
        if item.get("fingerprint") != fingerprint:
            return IdempotencyKeyReused("this Idempotency-Key was used for a different request")
        return ExistingSubmission(item["reference"], item["status_token"])

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            answer = self.dynamodb.get_item(
                TableName=self.table_name, Key=self._encode({"pk": pk, "sk": sk}), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc
        item = answer.get("Item")
        return self._decode(item) if item else None

    def get(self, reference: str) -> CorrectionRequest | None:
        item = self._get(request_pk(reference), REQUEST_SK)
        return request_from_item(item) if item else None

    def get_with_history(self, reference: str) -> tuple[CorrectionRequest | None, list[AuditEvent]]:
        """The request and its audit events, oldest first, in one query."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": request_pk(reference)}},
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self.dynamodb.query(**kwargs)
                items.extend(self._decode(i) for i in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc
        request = next((request_from_item(i) for i in items if i["sk"] == REQUEST_SK), None)
        events = [event_from_item(i) for i in items if i["sk"].startswith("EVENT#")]
        return request, events

    def save_move(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        *,
        condition: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """Write a transition and its audit event together, only if nobody moved the request meanwhile
        (and, when given, only if ``condition`` holds too)."""
        expression, values = "version = :expected", {":expected": {"N": str(before.version)}}
        if condition is not None:
            expression, values = f"{expression} AND {condition[0]}", {**values, **condition[1]}
        writes = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(request_item(after)),
                    "ConditionExpression": expression,
                    "ExpressionAttributeValues": values,
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(after.reference, event))}},
        ]
        self._write_move(writes, before.reference)

    def _write_move(self, writes: list[dict[str, Any]], reference: str) -> None:
        """Run a transaction whose first write is conditioned on the request's version."""
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise ConcurrentChange(f"{reference} changed meanwhile") from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    # ---- The review queue (issue 4) ---------------------------------------------------------

    def list_queue(
        self, flt: QueueFilter, cursor: QueueCursor, *, editor_id: str, now: datetime
    ) -> tuple[list[CorrectionRequest], str | None]:
        """One page of the queue in index order, and the cursor for the next.

        Each wanted status is one partition of the `queue` index; an urgency filter narrows the key
        condition (queue_order starts with it). Everything else is decided by corrigo.review.matches,
        so the rules live in one place; DynamoDB reads the same items either way (a FilterExpression
        saves bytes on the wire, not read capacity)."""
        pages = [
            self._partition_page(status.value, flt, cursor.after.get(status.value), editor_id=editor_id, now=now)
            for status in flt.statuses
            if status.value not in cursor.done
        ]
        return merge_pages(pages, flt.limit, cursor)

    def _partition_page(
        self, status: str, flt: QueueFilter, after: str | None, *, editor_id: str, now: datetime
    ) -> PartitionPage:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "queue",
            "KeyConditionExpression": "queue_status = :s",
            "ExpressionAttributeValues": {":s": {"S": status}},
            # Without filters in code a page read is a page shown; with them, read more per round trip
            # so that a selective filter costs a few calls, not one per page of skipped items.
            "Limit": flt.limit if not (flt.q or flt.request_type or flt.mine or flt.overdue is not None) else 250,
        }
        if flt.urgency is not None:
            kwargs["KeyConditionExpression"] += " AND begins_with(queue_order, :u)"
            kwargs["ExpressionAttributeValues"][":u"] = {"S": f"{flt.urgency}#"}
        if after:
            kwargs["ExclusiveStartKey"] = {
                "pk": {"S": request_pk(reference_of_position(after))},
                "sk": {"S": REQUEST_SK},
                "queue_status": {"S": status},
                "queue_order": {"S": after},
            }
        found: list[tuple[str, CorrectionRequest]] = []
        try:
            while True:
                answer = self.dynamodb.query(**kwargs)
                for raw in answer.get("Items", []):
                    item = self._decode(raw)
                    request = request_from_item(item)
                    if matches(request, flt, editor_id=editor_id, now=now):
                        found.append((str(item["queue_order"]), request))
                        if len(found) == flt.limit:
                            return PartitionPage(status, found, exhausted=False)
                if "LastEvaluatedKey" not in answer:
                    return PartitionPage(status, found, exhausted=True)
                kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc

    def count_by_status(self, statuses: Sequence[Status]) -> dict[str, int]:
        """How many requests each status holds (a COUNT query per index partition)."""
        counts: dict[str, int] = {}
        try:
            for status in statuses:
                kwargs: dict[str, Any] = {
                    "TableName": self.table_name,
                    "IndexName": "queue",
                    "KeyConditionExpression": "queue_status = :s",
                    "ExpressionAttributeValues": {":s": {"S": status.value}},
                    "Select": "COUNT",
                }
                total = 0
                while True:
                    answer = self.dynamodb.query(**kwargs)
                    total += int(answer.get("Count", 0))
                    if "LastEvaluatedKey" not in answer:
                        break
                    kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
                counts[status.value] = total
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc
        return counts

    def claim(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        """save_move, and also only if the request is still queued and unheld in the table: the
        version check alone already lets exactly one of two simultaneous claims through; the
        status check makes the rule readable in the condition itself."""
        self.save_move(
            before,
            after,
            event,
            condition=(
                "queue_status = :queued AND attribute_not_exists(assignee)",
                {":queued": {"S": Status.QUEUED.value}},
            ),
        )

    def get_case(self, reference: str) -> tuple[CorrectionRequest | None, list[AuditEvent], list[Note]]:
        """The request, its audit events and its internal notes, oldest first, in one query."""
        items = self._query_all(
            {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": request_pk(reference)}},
                "ConsistentRead": True,
            }
        )
        request = next((request_from_item(i) for i in items if i["sk"] == REQUEST_SK), None)
        events = [event_from_item(i) for i in items if i["sk"].startswith("EVENT#")]
        notes = [
            Note(reference, i["at"], i.get("author", ""), i.get("text", ""))
            for i in items
            if i["sk"].startswith("NOTE#")
        ]
        return request, events, notes

    def add_note(self, note: Note, event: AuditEvent) -> None:
        """The note and its audit event, together."""
        item = {
            "pk": request_pk(note.reference),
            "sk": f"NOTE#{note.at}#{note.author}",
            "at": note.at,
            "author": note.author,
            "text": note.text,
        }
        writes = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(note.reference, event))}},
        ]
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise ConcurrentChange(f"{note.reference}: a note at the same instant") from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    def same_article(self, request: CorrectionRequest) -> list[dict[str, Any]]:
        """Other requests about the same article (the `article` index), newest first."""
        url = str(request.fields.get("article_url", ""))
        if not url:
            return []
        items = self._query_all(
            {
                "IndexName": "article",
                "KeyConditionExpression": "article_key = :a",
                "ExpressionAttributeValues": {":a": {"S": article_key(url)}},
            }
        )
        others = [
            {key: item.get(key) for key in ("reference", "status", "request_type", "created_at", "outcome")}
            for item in items
            if item.get("reference") != request.reference
        ]
        return sorted(others, key=lambda other: str(other.get("created_at", "")), reverse=True)

    def record_escalation(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        """Store the breaches the sweep escalated, without bumping the version: a sweep must not make
        an editor's concurrent decision fail. The condition stops it writing over a newer move."""
        writes = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": self._encode({"pk": request_pk(before.reference), "sk": REQUEST_SK}),
                    "UpdateExpression": "SET overdue = :o, escalated = :e",
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {
                        ":o": self._serialize.serialize(list(after.overdue)),
                        ":e": self._serialize.serialize(list(after.escalated)),
                        ":v": {"N": str(before.version)},
                    },
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(before.reference, event))}},
        ]
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise ConcurrentChange(f"{before.reference} changed meanwhile") from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    def stale_received(self, older_than: str) -> list[str]:
        """References still `received` since before ``older_than``: their intake message was lost."""
        items = self._query_all(
            {
                "IndexName": "queue",
                "KeyConditionExpression": "queue_status = :s",
                "FilterExpression": "created_at < :t",
                "ExpressionAttributeValues": {":s": {"S": Status.RECEIVED.value}, ":t": {"S": older_than}},
            }
        )
        return [str(item["reference"]) for item in items]

    def open_requests(self, statuses: Sequence[Status]) -> list[CorrectionRequest]:
        """Every request in ``statuses``: what the deadline sweep looks at."""
        found: list[CorrectionRequest] = []
        for status in statuses:
            items = self._query_all(
                {
                    "IndexName": "queue",
                    "KeyConditionExpression": "queue_status = :s",
                    "ExpressionAttributeValues": {":s": {"S": status.value}},
                }
            )
            found.extend(request_from_item(item) for item in items)
        return found

    def _query_all(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"TableName": self.table_name, **query}
        items: list[dict[str, Any]] = []
        try:
            while True:
                page = self.dynamodb.query(**kwargs)
                items.extend(self._decode(i) for i in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return items
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc

    # ---- Email intake (issue 3): once per mail, and the auto-reply counters ------------------

    def create_once(self, request: CorrectionRequest, events: Sequence[AuditEvent], keys: Sequence[str]) -> None:
        """Write a request made from a mail together with one marker per key of that mail (its object
        key, its Message-ID), each only if new: a redelivered notification raises ExistingSubmission
        naming the request the first delivery created, instead of creating a second one."""
        expiration = int(time.time()) + MAIL_MARKER_TTL_SECONDS
        markers = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(
                        {
                            "pk": mail_marker_pk(key),
                            "sk": "KEY",
                            "reference": request.reference,
                            "status_token": request.status_token,
                            "expiration": expiration,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for key in dict.fromkeys(keys)
        ]
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(request_item(request)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *(
                {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(request.reference, event))}}
                for event in events
            ),
            *markers,
        ]
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise self._wrap(exc) from exc
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            if any(code == "ConditionalCheckFailed" for code in reasons[1 + len(events) :]):
                first = self.mail_seen(keys)
                if first is None:  # the marker expired between the two calls: let the caller retry
                    raise ConcurrentChange("mail marker vanished; retry") from exc
                raise first from exc
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ReferenceTaken(request.reference) from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    def mail_seen(self, keys: Sequence[str]) -> ExistingSubmission | None:
        """The request an earlier delivery of this mail went to, if any."""
        for key in dict.fromkeys(keys):
            item = self._get(mail_marker_pk(key), "KEY")
            if item is not None:
                return ExistingSubmission(str(item["reference"]), str(item.get("status_token", "")))
        return None

    def remember_mail(self, keys: Sequence[str], reference: str) -> None:
        """Mark a mail as handled after it changed an existing request (a reply, a bounce). A marker
        already there (a concurrent delivery) is left as it is."""
        expiration = int(time.time()) + MAIL_MARKER_TTL_SECONDS
        for key in dict.fromkeys(keys):
            item = {"pk": mail_marker_pk(key), "sk": "KEY", "reference": reference, "expiration": expiration}
            try:
                self.dynamodb.put_item(
                    TableName=self.table_name, Item=self._encode(item), ConditionExpression="attribute_not_exists(pk)"
                )
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise self._wrap(exc) from exc
            except BotoCoreError as exc:
                raise self._wrap(exc) from exc

    def increment_counter(self, name: str, window: str, expires_at: int) -> int:
        """Add one to a counter (name, window) and return its new value; DynamoDB's TTL removes it
        after ``expires_at``. One atomic UpdateItem, so concurrent deliveries never lose a count."""
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name,
                Key=self._encode({"pk": f"COUNTER#{name}", "sk": f"WINDOW#{window}"}),
                UpdateExpression="ADD #count :one SET expiration = if_not_exists(expiration, :expires)",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc
        return int(answer["Attributes"]["count"]["N"])

    # ---- Duplicates (issue 5): the primary of a passage, and the requests linked to it ---------
    #   DUP#<signature> / PRIMARY        which request first brought this passage of this article (TTL)
    #   REQ#<primary>   / LINK#<ref>     a request merged into the primary: who asked, in which language

    def claim_duplicate(self, signature: str, reference: str, expires_at: int, now: int) -> str:
        """The primary request for ``signature``: ``reference`` itself if it is the first within the
        window (a conditional put decides, so two concurrent workers cannot both win), else the first."""
        item = {"pk": f"DUP#{signature}", "sk": "PRIMARY", "reference": reference, "expiration": expires_at}
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item=self._encode(item),
                ConditionExpression="attribute_not_exists(pk) OR expiration < :now OR #ref = :ref",
                ExpressionAttributeNames={"#ref": "reference"},
                ExpressionAttributeValues={":now": {"N": str(now)}, ":ref": {"S": reference}},
            )
            return reference
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc
        found = self._get(f"DUP#{signature}", "PRIMARY")
        return str(found["reference"]) if found else reference

    def save_duplicate(
        self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent, link: dict[str, Any]
    ) -> None:
        """The duplicate resolved as merged, its audit event and its link on the primary: one transaction."""
        primary = str(after.merged_into)
        link_item = {"pk": request_pk(primary), "sk": f"LINK#{after.reference}", **link}
        writes = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._encode(request_item(after)),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": {":expected": {"N": str(before.version)}},
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self._encode(event_item(after.reference, event))}},
            {"Put": {"TableName": self.table_name, "Item": self._encode(link_item)}},
        ]
        self._write_move(writes, before.reference)

    def linked(self, primary: str) -> list[dict[str, Any]]:
        """The requests merged into ``primary`` by screening, oldest reference first."""
        return self._query_all(
            {
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :link)",
                "ExpressionAttributeValues": {":pk": {"S": request_pk(primary)}, ":link": {"S": "LINK#"}},
                "ConsistentRead": True,
            }
        )

    @staticmethod
    def _wrap(exc: Exception) -> Exception:
        return unavailable("DynamoDB", exc) if is_transient(exc) else StoreError(f"DynamoDB call failed: {exc}")
