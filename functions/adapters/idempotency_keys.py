"""DynamoDB: the API's Idempotency-Keys and the request each created.

IDEMPOTENCY#<sha256(key)> / KEY   an Idempotency-Key, its request and the payload's fingerprint (24 h TTL)
"""

from __future__ import annotations

import hashlib
import time

from adapters.dynamo import Dynamo, Write
from corrigo.conflicts import ExistingSubmission
from corrigo.errors import ConcurrentChange, IdempotencyKeyReused

IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def idempotency_pk(key: str) -> str:
    return "IDEMPOTENCY#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class IdempotencyKeys:
    def __init__(self, db: Dynamo) -> None:
        self.db = db

    def write(self, key: str, reference: str, status_token: str, fingerprint: str) -> Write:
        """The key, only if new, for the transaction that creates the request. A key used before
        refuses with the first answer (same content) or IdempotencyKeyReused (other content)."""
        item = {
            "pk": idempotency_pk(key),
            "sk": "KEY",
            "reference": reference,
            "status_token": status_token,
            "fingerprint": fingerprint,
            "expiration": int(time.time()) + IDEMPOTENCY_TTL_SECONDS,
        }
        return Write(self.db.put_new(item), lambda: self.existing(key, fingerprint))

    def existing(self, key: str, fingerprint: str) -> Exception:
        item = self.db.get(idempotency_pk(key), "KEY")
        if item is None:  # expired between the two calls: treat as a conflict the client can retry
            return ConcurrentChange("idempotency key vanished; retry")
        if item.get("fingerprint") != fingerprint:
            return IdempotencyKeyReused("this Idempotency-Key was used for a different request")
        return ExistingSubmission(str(item["reference"]), str(item["status_token"]))
