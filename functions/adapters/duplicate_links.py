"""DynamoDB: duplicates (issue 5), the primary of a passage and the requests linked to it.

DUP#<signature> / PRIMARY        which request first brought this passage of this article (TTL)
REQ#<primary>   / LINK#<ref>     a request merged into the primary: who asked, in which language
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.dynamo import Write
from adapters.request_items import move_writes, request_pk
from adapters.requests_table import RequestsTable
from corrigo.lifecycle import AuditEvent
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage


class DuplicateLinks:
    def __init__(self, requests: RequestsTable) -> None:
        self.requests = requests
        self.db = requests.db

    def claim_primary(self, signature: str, reference: str, expires_at: int, now: int) -> str:
        """The primary request for ``signature``: ``reference`` itself if it is the first within the
        window (a conditional put decides, so two concurrent workers cannot both win), else the first."""
        item = {"pk": f"DUP#{signature}", "sk": "PRIMARY", "reference": reference, "expiration": expires_at}
        won = self.db.call(
            "put_item",
            ignore="ConditionalCheckFailedException",
            Item=self.db.encode(item),
            ConditionExpression="attribute_not_exists(pk) OR expiration < :now OR #ref = :ref",
            ExpressionAttributeNames={"#ref": "reference"},
            ExpressionAttributeValues={":now": {"N": str(now)}, ":ref": {"S": reference}},
        )
        if won is not None:
            return reference
        found = self.db.get(f"DUP#{signature}", "PRIMARY")
        return str(found["reference"]) if found else reference

    def save_duplicate(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        event: AuditEvent,
        link: dict[str, Any],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """The duplicate resolved as merged, its audit event and its link on the primary: one transaction."""
        link_item = {"pk": request_pk(str(after.merged_into)), "sk": f"LINK#{after.reference}", **link}
        writes = [*move_writes(self.db, before, after, event), Write(self.db.put(link_item))]
        self.requests.transact(writes, outbox)

    def linked(self, primary: str) -> list[dict[str, Any]]:
        """The requests merged into ``primary`` by screening, oldest reference first."""
        return list(
            self.db.query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :link)",
                ExpressionAttributeValues={":pk": {"S": request_pk(primary)}, ":link": {"S": "LINK#"}},
                ConsistentRead=True,
            )
        )
