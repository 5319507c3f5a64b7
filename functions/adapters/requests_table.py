"""DynamoDB: requests, their audit events and idempotency keys, in one table.

Item layout (pk / sk):
  REQ#<reference> / REQUEST              the request; queue_status + queue_order feed the `queue` GSI
  REQ#<reference> / EVENT#<at>#<action>  one audit event
  IDEMPOTENCY#<sha256(key)> / KEY        an Idempotency-Key and the request it created (24 h TTL)
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, is_transient, unavailable
from corrigo.errors import ConcurrentChange, IdempotencyKeyReused
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest

REQUEST_SK = "REQUEST"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


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


def request_item(request: CorrectionRequest) -> dict[str, Any]:
    item = {k: v for k, v in asdict(request).items() if v is not None}
    item["flags"] = list(request.flags)
    item["status"] = request.status.value
    item.update(pk=request_pk(request.reference), sk=REQUEST_SK, queue_status=request.status.value, queue_order=queue_order(request))
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
    )


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

    def create(self, request: CorrectionRequest, event: AuditEvent, *, idempotency_key: str | None = None, fingerprint: str = "") -> None:
        """Write the request, its first event and its Idempotency-Key in one transaction (one call)."""
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table_name, "Item": self._encode(request_item(request)), "ConditionExpression": "attribute_not_exists(pk)"}},
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
            writes.append({"Put": {"TableName": self.table_name, "Item": self._encode(key_item), "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise self._wrap(exc) from exc
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise self._existing_submission(idempotency_key or "", fingerprint) from exc
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ReferenceTaken(request.reference) from exc
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
            answer = self.dynamodb.get_item(TableName=self.table_name, Key=self._encode({"pk": pk, "sk": sk}), ConsistentRead=True)
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

    def save_move(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        """Write a transition and its audit event together, only if nobody moved the request meanwhile."""
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
        ]
        try:
            self.dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise ConcurrentChange(f"{before.reference} changed meanwhile") from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    @staticmethod
    def _wrap(exc: Exception) -> Exception:
        return unavailable("DynamoDB", exc) if is_transient(exc) else StoreError(f"DynamoDB call failed: {exc}")
