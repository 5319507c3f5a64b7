"""DynamoDB for the editors' desk (issue 11): saved reply templates, a requester's other requests,
and a change made of several audit events in one conditional write (claim and reject at once).

Items, in the requests table:
  REPLY_TEMPLATE#<outcome> / TEMPLATE    an admin's saved reply for an outcome (zh, en, who, when)
A requester's requests are found through the `privacy` index (REQUESTER#<sha256(email)>, newest
first; KEYS_ONLY), then read one by one: a requester rarely has more than a few.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.dynamo import Write
from adapters.request_items import REQUEST_SK, event_item, move_writes, request_from_item, request_pk
from adapters.requests_table import RequestsTable
from corrigo import privacy
from corrigo.lifecycle import AuditEvent
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.reply_templates import ReplyTemplate

TEMPLATE_SK = "TEMPLATE"
# How many of a requester's other requests the case view lists (the newest).
MAX_RELATED = 20


def template_pk(outcome: str) -> str:
    return f"REPLY_TEMPLATE#{outcome}"


class DeskStore:
    def __init__(self, table: RequestsTable) -> None:
        self.table = table
        self.db = table.db

    # ---- reply templates ------------------------------------------------------------------------

    def saved_template(self, outcome: str) -> ReplyTemplate | None:
        item = self.db.get(template_pk(outcome), TEMPLATE_SK)
        if item is None:
            return None
        return ReplyTemplate(
            outcome, str(item["zh"]), str(item["en"]), str(item.get("updated_by", "")), str(item.get("updated_at", ""))
        )

    def save_template(self, template: ReplyTemplate) -> None:
        item = {
            "pk": template_pk(template.outcome),
            "sk": TEMPLATE_SK,
            "zh": template.zh,
            "en": template.en,
            "updated_by": template.updated_by,
            "updated_at": template.updated_at,
        }
        self.db.call("put_item", Item=self.db.encode(item))

    # ---- related requests -----------------------------------------------------------------------

    def requester_requests(self, request: CorrectionRequest) -> list[dict[str, Any]]:
        """The requester's other requests, newest first (at most MAX_RELATED)."""
        key = privacy.requester_index_key(request.requester_email)
        if key is None:
            return []
        found: list[dict[str, Any]] = []
        for entry in self.db.query(
            IndexName="privacy",
            KeyConditionExpression="privacy_key = :k",
            ExpressionAttributeValues={":k": {"S": key}},
            ScanIndexForward=False,
        ):
            reference = str(entry["pk"]).removeprefix("REQ#")
            if reference == request.reference:
                continue
            item = self.db.get(request_pk(reference), REQUEST_SK)
            if item is not None:
                found.append(summary_of(request_from_item(item)))
            if len(found) == MAX_RELATED:
                break
        return found

    # ---- a change of several steps ----------------------------------------------------------------

    def save_moves(
        self,
        before: CorrectionRequest,
        after: CorrectionRequest,
        events: Sequence[AuditEvent],
        *,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """The request after several steps (each with its audit event), only if nobody moved it since
        ``before`` was read, with the messages the last step promises: one transaction."""
        *earlier, last = events
        writes = [
            *move_writes(self.db, before, after, last),
            *(Write(self.db.put(event_item(after.reference, event))) for event in earlier),
        ]
        self.table.transact(writes, outbox)


def summary_of(request: CorrectionRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "status": request.status.value,
        "request_type": request.request_type,
        "created_at": request.created_at,
        "outcome": request.outcome,
        "article_title": str(request.fields.get("article_title", "")),
    }
