"""DynamoDB: what the moderators read and hold in the CommentsTable — the queues (the ``moderation``,
``article_queue`` and ``by_commenter`` indexes), the kept counts per status, claims, and the audited
writes of penalties and article settings (adapters.comments_table holds the comments' own moves).

| pk | sk | what |
|---|---|---|
| ``COMMENT#<id>`` | ``CLAIM`` | the moderator holding the comment, until when (TTL cleans lapsed ones) |
| ``COUNTS#<n>`` | ``COUNTS`` | one of COUNTER_SHARDS counters: a number per status |
| ``COMMENTER#<id>`` | ``EVENT#<at>#penalty`` | a penalty's audit event |
| ``ARTICLE#<key>`` | ``EVENT#<at>#settings`` | a settings change's audit event |
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.comments_table import DAY, comment_key, counter_key
from adapters.dynamo import Dynamo, Item, Write, wrap
from corrigo.comments.model import ArticleSettings, Penalty
from corrigo.comments.moderation import (
    COUNTER_SHARDS,
    PENALTY_ACTION,
    SETTINGS_ACTION,
    Claim,
    ClaimedByOther,
    sum_counts,
)
from corrigo.errors import ConcurrentChange, NotFound

QUEUE_PAGE = 20
HISTORY_SIZE = 20
ROW_FIELDS = (
    "id",
    "article_url",
    "commenter",
    "nickname",
    "text",
    "status",
    "created_at",
    "updated_at",
    "reason_code",
    "reason_note",
    "priority",
    "report_count",
    "hidden",
    "screening",
    "appeal_text",
    "quiet_until",
    "reply_to",
)
_CURSOR_NAMES = {
    "moderation": {"pk", "sk", "queue_status", "queue_order"},
    "article_queue": {"pk", "sk", "article_queue", "queue_order"},
    "by_commenter": {"pk", "sk", "commenter", "created_at"},
}


def _claim_key(comment_id: str) -> dict[str, str]:
    return {"pk": f"COMMENT#{comment_id}", "sk": "CLAIM"}


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    data = json.dumps(dict(sorted(last_key.items())), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, index: str, partition: str) -> dict[str, str] | None:
    """The position a cursor names, if it is one of this queue's; None for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    names = _CURSOR_NAMES[index]
    if not isinstance(data, dict) or set(data) != names or not all(isinstance(v, str) for v in data.values()):
        return None
    hash_name = {"moderation": "queue_status", "article_queue": "article_queue", "by_commenter": "commenter"}[index]
    return data if data[hash_name] == partition else None


class CommentQueue:
    def __init__(self, table_name: str, audit_days: int = 365, dynamodb: Any = None) -> None:
        self.db = Dynamo(table_name, dynamodb)
        self.audit_days = audit_days

    # ---- reads -----------------------------------------------------------------------------------

    def page(
        self, index: str, partition: str, start: dict[str, str] | None, *, status: str | None = None
    ) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of a queue: one Query of ``index`` (``status`` filters a commenter's history)."""
        hash_name = {"moderation": "queue_status", "article_queue": "article_queue", "by_commenter": "commenter"}[index]
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": "#h = :p",
            "ExpressionAttributeNames": {"#h": hash_name},
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "Limit": QUEUE_PAGE,
            # A commenter's comments newest first; a status queue in its order (pending: clean, oldest first).
            "ScanIndexForward": index != "by_commenter",
        }
        if status:
            query["FilterExpression"] = "#s = :s"
            query["ExpressionAttributeNames"]["#s"] = "status"
            query["ExpressionAttributeValues"][":s"] = {"S": status}
        items, last = self.db.page(start, **query)
        return [{k: i[k] for k in ROW_FIELDS if k in i} for i in items], last

    def history(self, commenter_id: str) -> list[Item]:
        """The commenter's latest comments, newest first (one Query of ``by_commenter``)."""
        rows, _ = self.page("by_commenter", commenter_id, None)
        return rows[:HISTORY_SIZE]

    def commenter_events(self, commenter_id: str) -> list[Item]:
        items = self.db.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
            ExpressionAttributeValues={":pk": {"S": f"COMMENTER#{commenter_id}"}, ":e": {"S": "EVENT#"}},
            ScanIndexForward=False,
        )
        return [{k: i.get(k) for k in ("at", "action", "actor", "reason", "detail")} for i in items]

    def counts(self) -> dict[str, int]:
        """The kept counts per status: one BatchGetItem of the counter items, whatever the queues hold."""
        keys = [self.db.encode(counter_key(n)) for n in range(COUNTER_SHARDS)]
        request: dict[str, Any] = {self.db.table_name: {"Keys": keys}}
        found: list[Item] = []
        try:
            while request:
                answer = self.db.client.batch_get_item(RequestItems=request)
                found.extend(self.db.decode(i) for i in answer.get("Responses", {}).get(self.db.table_name, []))
                request = answer.get("UnprocessedKeys") or {}
        except (ClientError, BotoCoreError) as exc:
            raise wrap(exc) from exc
        return sum_counts(found)

    def claim_of(self, comment_id: str) -> Claim | None:
        item = self.db.get(**_claim_key(comment_id))
        if not item:
            return None
        return Claim(comment_id, str(item["holder"]), str(item.get("holder_name", "")), int(item["until"]))

    # ---- claims ----------------------------------------------------------------------------------

    def take_claim(self, claim: Claim, now_epoch: int) -> None:
        """Hold the comment (or hold it longer); ClaimedByOther while another's claim is in force."""
        item = {
            **_claim_key(claim.comment_id),
            "holder": claim.holder,
            "holder_name": claim.holder_name,
            "until": claim.until,
            "expiration": claim.until + DAY,
        }
        put = self.db.put(
            item,
            condition="attribute_not_exists(pk) OR holder = :me OR #u <= :now",
            values={":me": {"S": claim.holder}, ":now": {"N": str(now_epoch)}},
        )
        put["Put"]["ExpressionAttributeNames"] = {"#u": "until"}
        exists = {
            "ConditionCheck": {
                "TableName": self.db.table_name,
                "Key": self.db.encode(comment_key(claim.comment_id)),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }

        def refused() -> Exception:
            held = self.claim_of(claim.comment_id)
            if held is None:
                return ConcurrentChange("the claim changed meanwhile")
            return ClaimedByOther(claim.comment_id, held.holder, held.until)

        self.db.transact([Write(exists, NotFound(claim.comment_id)), Write(put, refused)])

    def release_write(self, comment_id: str, moderator: str, now_epoch: int) -> Write:
        """A decision's release of the claim, in the decision's transaction: it fails (ClaimedByOther)
        when another moderator's claim is in force, and removes the moderator's own or a lapsed one."""
        delete = {
            "TableName": self.db.table_name,
            "Key": self.db.encode(_claim_key(comment_id)),
            "ConditionExpression": "attribute_not_exists(pk) OR holder = :me OR #u <= :now",
            "ExpressionAttributeNames": {"#u": "until"},
            "ExpressionAttributeValues": {":me": {"S": moderator}, ":now": {"N": str(now_epoch)}},
        }

        def refused() -> Exception:
            held = self.claim_of(comment_id)
            if held is None:
                return ConcurrentChange("the claim changed meanwhile")
            return ClaimedByOther(comment_id, held.holder, held.until)

        return Write({"Delete": delete}, refused)

    def release(self, comment_id: str, moderator: str, now_epoch: int) -> None:
        self.db.transact([self.release_write(comment_id, moderator, now_epoch)])

    # ---- audited writes --------------------------------------------------------------------------

    def _audit(
        self, pk: str, at: str, action: str, actor: str, reason: str, detail: dict[str, Any], epoch: int
    ) -> Write:
        item = {
            "pk": pk,
            "sk": f"EVENT#{at}#{action}",
            "at": at,
            "action": action,
            "actor": actor,
            "reason": reason,
            "detail": detail,
            "expiration": epoch + self.audit_days * DAY,
        }
        return Write(self.db.put_new(item))

    def penalize(self, commenter_id: str, penalty: Penalty, actor: str, detail: dict[str, Any], epoch: int) -> None:
        """The commenter's penalty and its audit event, in one transaction (NotFound: no such commenter)."""
        value = self.db.value({k: v for k, v in asdict(penalty).items() if v is not None})
        update = {
            "TableName": self.db.table_name,
            "Key": self.db.encode({"pk": f"COMMENTER#{commenter_id}", "sk": "PROFILE"}),
            "UpdateExpression": "SET penalty = :p",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":p": value},
        }
        event = self._audit(
            f"COMMENTER#{commenter_id}", penalty.since, PENALTY_ACTION, actor, penalty.reason, detail, epoch
        )
        self.db.transact([Write({"Update": update}, NotFound(commenter_id)), event])

    def save_settings(
        self, settings: ArticleSettings, article_key: str, actor: str, now: str, epoch: int, detail: dict[str, Any]
    ) -> ArticleSettings:
        """An article's settings and their audit event, in one transaction; comments' first opening
        date is kept across changes (``close_after_days`` counts from it)."""
        existing = self.db.get(f"ARTICLE#{article_key}", "SETTINGS")
        opened_at = str(existing.get("opened_at")) if existing and existing.get("opened_at") else now
        item: Item = {
            "pk": f"ARTICLE#{article_key}",
            "sk": "SETTINGS",
            "article_url": settings.article_url,
            "open": settings.open,
            "opened_at": opened_at,
            "updated_at": now,
            "updated_by": actor,
        }
        if settings.close_after_days is not None:
            item["close_after_days"] = settings.close_after_days
        reason = "open" if settings.open else "closed"
        event = self._audit(f"ARTICLE#{article_key}", now, SETTINGS_ACTION, actor, reason, detail, epoch)
        self.db.transact([Write(self.db.put(item)), event])
        return ArticleSettings(settings.article_url, settings.open, settings.close_after_days, opened_at)
