"""DynamoDB: one marker per received mail, so that a redelivered notification does not make a second request.

MAIL#<sha256(key)> / KEY   a received mail (object key or Message-ID) and its request (30 d TTL)
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from adapters.dynamo import Dynamo, Write
from corrigo.conflicts import ExistingSubmission
from corrigo.errors import ConcurrentChange

# Longer than a message can live in the mail queue and its dead-letter queue (4 + 14 days), so even a
# redrive weeks later finds the marker of the first delivery.
MAIL_MARKER_TTL_SECONDS = 30 * 24 * 3600


def mail_marker_pk(key: str) -> str:
    return "MAIL#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class MailMarkers:
    def __init__(self, db: Dynamo) -> None:
        self.db = db

    def seen(self, keys: Sequence[str]) -> ExistingSubmission | None:
        """The request an earlier delivery of this mail went to, if any."""
        for key in dict.fromkeys(keys):
            item = self.db.get(mail_marker_pk(key), "KEY")
            if item is not None:
                return ExistingSubmission(str(item["reference"]), str(item.get("status_token", "")))
        return None

    def remember(self, keys: Sequence[str], reference: str) -> None:
        """Mark a mail as handled after it changed an existing request (a reply, a bounce). A marker
        already there (a concurrent delivery) is left as it is."""
        for key in dict.fromkeys(keys):
            self.db.call(
                "put_item",
                ignore="ConditionalCheckFailedException",
                Item=self.db.encode(self._item(key, reference)),
                ConditionExpression="attribute_not_exists(pk)",
            )

    def writes(self, keys: Sequence[str], reference: str, status_token: str) -> list[Write]:
        """One marker per key, each only if new, for the transaction that creates the request: a
        marker already there refuses with the request the first delivery created."""
        return [
            Write(self.db.put_new(self._item(key, reference, status_token)), lambda: self._first(keys))
            for key in dict.fromkeys(keys)
        ]

    def _first(self, keys: Sequence[str]) -> Exception:
        first = self.seen(keys)
        # The marker expired between the two calls: let the caller retry.
        return first if first is not None else ConcurrentChange("mail marker vanished; retry")

    @staticmethod
    def _item(key: str, reference: str, status_token: str | None = None) -> dict[str, object]:
        item: dict[str, object] = {
            "pk": mail_marker_pk(key),
            "sk": "KEY",
            "reference": reference,
            "expiration": int(time.time()) + MAIL_MARKER_TTL_SECONDS,
        }
        if status_token is not None:
            item["status_token"] = status_token
        return item
