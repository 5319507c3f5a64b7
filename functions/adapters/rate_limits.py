"""DynamoDB rate-limit counters (items in their own small table, removed by TTL).

Kept apart from the requests table because the counters are not requests: this module only
builds the conditional `ADD` writes, which intake folds into the transaction that stores the
request (no call of their own on the API's path), and offers ``hit`` for a caller with no such
transaction (email intake counts one UpdateItem).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, unavailable
from corrigo.errors import RateLimited
from corrigo.ratelimit import Counter


def _update(table_name: str, counter: Counter) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "Key": {"pk": {"S": counter.pk}, "sk": {"S": counter.sk}},
        # The ceiling is in the condition, so a full counter stays full and refuses atomically
        # however many submissions race for the last place.
        "UpdateExpression": "ADD #n :one SET expiration = if_not_exists(expiration, :expires)",
        "ConditionExpression": "attribute_not_exists(#n) OR #n < :ceiling",
        "ExpressionAttributeNames": {"#n": "count"},
        "ExpressionAttributeValues": {
            ":one": {"N": "1"},
            ":ceiling": {"N": str(counter.ceiling)},
            ":expires": {"N": str(counter.expires_at)},
        },
    }


def transaction_guards(table_name: str, counters: Sequence[Counter]) -> list[tuple[dict[str, Any], Exception]]:
    """Transaction writes (RequestsTable.create(limits=…)): each counter's update and the refusal it raises."""
    return [({"Update": _update(table_name, c)}, RateLimited(c.scope, c.retry_after_seconds)) for c in counters]


class RateLimits:
    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        if self._dynamodb is None:
            self._dynamodb = client("dynamodb")
        return self._dynamodb

    def hit(self, counter: Counter) -> None:
        """Count one against ``counter``; RateLimited when it is full."""
        try:
            self.dynamodb.update_item(**_update(self.table_name, counter))
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise RateLimited(counter.scope, counter.retry_after_seconds) from exc
            raise unavailable("DynamoDB", exc) from exc
        except BotoCoreError as exc:
            raise unavailable("DynamoDB", exc) from exc
