"""DynamoDB: the OutboxTable, whose stream feeds the outbox consumer (corrigo.outbox says why).

Repositories add ``put_write(message)`` to the TransactItems of the state change that implies the
message; the consumer reads the message back, delivers it, and marks it here.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, unavailable
from corrigo.outbox import PENDING_KEY, RETENTION_DAYS, Delivery, OutboxMessage, from_item, to_item


def _serializer() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def expires_at(epoch_seconds: int) -> int:
    return epoch_seconds + RETENTION_DAYS * 24 * 3600


class OutboxTable:
    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._to, self._from = _serializer()

    @property
    def dynamodb(self) -> Any:
        if self._dynamodb is None:
            self._dynamodb = client("dynamodb")
        return self._dynamodb

    def put_write(self, message: OutboxMessage, now_epoch: int) -> dict[str, Any]:
        """One TransactItems element: the message, once (a retried transaction cannot put it twice)."""
        item = {k: self._to.serialize(v) for k, v in to_item(message, expires_at(now_epoch)).items()}
        return {"Put": {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(id)"}}

    def decode(self, image: dict[str, Any]) -> tuple[OutboxMessage, str]:
        """A stream record's NewImage (or an item) → the message and its delivery state."""
        plain = {k: self._from.deserialize(v) for k, v in image.items()}
        return from_item(plain), str(plain.get("delivery", Delivery.PENDING.value))

    def get(self, message_id: str) -> tuple[OutboxMessage, str] | None:
        try:
            answer = self.dynamodb.get_item(
                TableName=self.table_name, Key={"id": {"S": message_id}}, ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise unavailable("DynamoDB", exc) from exc
        item = answer.get("Item")
        return self.decode(item) if item else None

    def mark(self, message_id: str, delivery: Delivery, at: str, detail: str = "") -> bool:
        """Record the outcome of a delivery attempt; False if the message was already delivered
        (a concurrent or repeated delivery lost the race: the caller must not act on it again)."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={"id": {"S": message_id}},
                UpdateExpression=(
                    "SET delivery = :d, delivered_at = :at, last_activity_at = :at, detail = :detail "
                    "REMOVE #pending ADD attempts :one"
                ),
                ExpressionAttributeNames={"#pending": "pending"},
                ConditionExpression="attribute_exists(id) AND delivery = :pending",
                ExpressionAttributeValues={
                    ":d": {"S": delivery.value},
                    ":at": {"S": at},
                    ":detail": {"S": detail[:1000]},
                    ":one": {"N": "1"},
                    ":pending": {"S": Delivery.PENDING.value},
                },
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise unavailable("DynamoDB", exc) from exc
        except BotoCoreError as exc:
            raise unavailable("DynamoDB", exc) from exc
        return True

    def note_attempt(self, message_id: str, error: str, at: str) -> int:
        """Count a failed attempt (for the backoff and the editors' page); returns the attempts so far."""
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name,
                Key={"id": {"S": message_id}},
                UpdateExpression="SET last_error = :e, last_activity_at = :at ADD attempts :one",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeValues={":e": {"S": error[:1000]}, ":at": {"S": at}, ":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as exc:
            raise unavailable("DynamoDB", exc) from exc
        return int(answer["Attributes"]["attempts"]["N"])

    def stale(self, quiet_since: str, limit: int = 100) -> list[str]:
        """Pending messages nothing has touched since ``quiet_since`` (ISO time), oldest first: no
        stream record, retry or attempt is working on them any more."""
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "pending",
            "KeyConditionExpression": "#pending = :pending AND last_activity_at < :since",
            "ExpressionAttributeNames": {"#pending": "pending"},
            "ExpressionAttributeValues": {":pending": {"S": PENDING_KEY}, ":since": {"S": quiet_since}},
            "Limit": limit,
        }
        try:
            answer = self.dynamodb.query(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise unavailable("DynamoDB", exc) from exc
        ids += [item["id"]["S"] for item in answer.get("Items", [])]
        return ids
