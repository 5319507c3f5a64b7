"""DynamoDB: counters with a time window, removed by TTL (automatic replies per address per day).

COUNTER#<name> / WINDOW#<window>   a count and its expiration
"""

from __future__ import annotations

from adapters.dynamo import Dynamo


class AutoReplyCounters:
    def __init__(self, db: Dynamo) -> None:
        self.db = db

    def increment(self, name: str, window: str, expires_at: int) -> int:
        """Add one to a counter (name, window) and return its new value; DynamoDB's TTL removes it
        after ``expires_at``. One atomic UpdateItem, so concurrent deliveries never lose a count."""
        answer = self.db.call(
            "update_item",
            Key=self.db.encode({"pk": f"COUNTER#{name}", "sk": f"WINDOW#{window}"}),
            UpdateExpression="ADD #count :one SET expiration = if_not_exists(expiration, :expires)",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        assert answer is not None  # no error code is ignored
        return int(answer["Attributes"]["count"]["N"])

    def give_back(self, name: str, window: str) -> None:
        """Take back one count (a mail counted, then not sent: its retry counts it again)."""
        self.db.call(
            "update_item",
            Key=self.db.encode({"pk": f"COUNTER#{name}", "sk": f"WINDOW#{window}"}),
            UpdateExpression="ADD #count :minus_one",
            ConditionExpression="attribute_exists(#count)",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":minus_one": {"N": "-1"}},
        )
