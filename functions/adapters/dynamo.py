"""DynamoDB for every repository: (de)serialising items, one paginator, one transaction helper.

Each write of a transaction carries the error its failed condition means (``Write.refusal``), so a
cancelled transaction is explained by the item that refused, whatever its position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, is_transient, unavailable
from corrigo.errors import ConcurrentChange

Item = dict[str, Any]


class StoreError(Exception):
    """DynamoDB refused a call for a reason that retrying will not fix (a bug or a misconfiguration)."""


def wrap(exc: Exception) -> Exception:
    return unavailable("DynamoDB", exc) if is_transient(exc) else StoreError(f"DynamoDB call failed: {exc}")


@dataclass(frozen=True)
class Write:
    """One element of TransactItems, and what its condition failing means.

    ``refusal`` is an exception, or a callable that builds one (for refusals that need a read to
    explain themselves, e.g. which request an Idempotency-Key already names). None: a condition
    failing here is not expected and is reported as a concurrent change."""

    element: dict[str, Any]
    refusal: Exception | Callable[[], Exception] | None = None


def _serializer() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


class Dynamo:
    """One table through one client: the calls every repository of that table makes."""

    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._serialize, self._deserialize = _serializer()

    @property
    def client(self) -> Any:
        if self._dynamodb is None:
            self._dynamodb = client("dynamodb")
        return self._dynamodb

    def encode(self, item: Item) -> dict[str, Any]:
        return {k: self._serialize.serialize(v) for k, v in item.items()}

    def decode(self, item: dict[str, Any]) -> Item:
        return {k: self._deserialize.deserialize(v) for k, v in item.items()}

    def value(self, value: Any) -> dict[str, Any]:
        return dict(self._serialize.serialize(value))

    # ---- writes as transaction elements --------------------------------------------------------------

    def put(
        self, item: Item, *, condition: str | None = None, values: Item | None = None, names: Item | None = None
    ) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self.table_name, "Item": self.encode(item)}
        if condition:
            put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = values
        if names:
            put["ExpressionAttributeNames"] = names
        return {"Put": put}

    def delete(self, pk: str, sk: str) -> dict[str, Any]:
        """Deleting an item that is not there is no error: a transaction can always say "not this"."""
        return {"Delete": {"TableName": self.table_name, "Key": self.encode({"pk": pk, "sk": sk})}}

    def put_new(self, item: Item) -> dict[str, Any]:
        return self.put(item, condition="attribute_not_exists(pk)")

    # ---- calls ---------------------------------------------------------------------------------------

    def transact(self, writes: Sequence[Write]) -> None:
        """One TransactWriteItems. A cancellation raises the refusal of the first write whose
        condition failed; any other failure is StoreError or ServiceUnavailable."""
        try:
            self.client.transact_write_items(TransactItems=[w.element for w in writes])
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise wrap(exc) from exc
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            for write, code in zip(writes, reasons, strict=False):
                if code == "ConditionalCheckFailed":
                    raise _refusal(write) from exc
            if any(code in ("TransactionConflict",) for code in reasons):
                raise ConcurrentChange("a concurrent transaction touched the same items; retry") from exc
            raise wrap(exc) from exc
        except BotoCoreError as exc:
            raise wrap(exc) from exc

    def get(self, pk: str, sk: str) -> Item | None:
        try:
            answer = self.client.get_item(
                TableName=self.table_name, Key=self.encode({"pk": pk, "sk": sk}), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise wrap(exc) from exc
        item = answer.get("Item")
        return self.decode(item) if item else None

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item]:
        """The items at ``keys`` that exist (any order), 100 keys a call, unprocessed keys asked again."""
        found: list[Item] = []
        try:
            for start in range(0, len(keys), 100):
                wanted = [self.encode({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]]
                while wanted:
                    answer = self.client.batch_get_item(RequestItems={self.table_name: {"Keys": wanted}})
                    found.extend(self.decode(item) for item in answer.get("Responses", {}).get(self.table_name, []))
                    wanted = answer.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
        except (ClientError, BotoCoreError) as exc:
            raise wrap(exc) from exc
        return found

    def pages(self, **query: Any) -> Iterator[dict[str, Any]]:
        """Every page of a Query, raw, following LastEvaluatedKey: the one pagination loop."""
        kwargs: dict[str, Any] = {"TableName": self.table_name, **query}
        try:
            while True:
                page = self.client.query(**kwargs)
                yield page
                if "LastEvaluatedKey" not in page:
                    return
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise wrap(exc) from exc

    def page(self, start: Item | None = None, **query: Any) -> tuple[list[Item], Item | None]:
        """One page of a Query from ``start`` (the last page's end), decoded, and where it ended
        (None after the last): what an API's cursor carries."""
        if start:
            query["ExclusiveStartKey"] = self.encode(start)
        answer = next(self.pages(**query))
        last = answer.get("LastEvaluatedKey")
        return [self.decode(item) for item in answer.get("Items", [])], (self.decode(last) if last else None)

    def query(self, **query: Any) -> Iterator[Item]:
        """Every item a Query finds, decoded, page after page (stop iterating to stop reading)."""
        for page in self.pages(**query):
            yield from (self.decode(item) for item in page.get("Items", []))

    def count(self, **query: Any) -> int:
        return sum(int(page.get("Count", 0)) for page in self.pages(Select="COUNT", **query))

    def call(self, operation: str, *, ignore: str = "", **kwargs: Any) -> dict[str, Any] | None:
        """One single-item call (put_item, update_item, delete_item) on this table. ``ignore`` names an
        error code that means "already as wanted" (answers None)."""
        try:
            return dict(getattr(self.client, operation)(TableName=self.table_name, **kwargs))
        except ClientError as exc:
            if ignore and error_code(exc) == ignore:
                return None
            raise wrap(exc) from exc
        except BotoCoreError as exc:
            raise wrap(exc) from exc


def _refusal(write: Write) -> Exception:
    if write.refusal is None:
        return ConcurrentChange("a condition of the transaction failed; retry")
    if isinstance(write.refusal, Exception):
        return write.refusal
    return write.refusal()
