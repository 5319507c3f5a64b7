"""DynamoDB: the CommentsTable — comments, their audit events and reports, commenters, phone
verifications and per-article settings (corrigo.comments.keys lists its indexes).

| pk | sk | what |
|---|---|---|
| ``COMMENT#<id>`` | ``COMMENT`` | the comment, with its index keys |
| ``COMMENT#<id>`` | ``EVENT#<at>#<action>`` | one audit event (TTL: the audit retention, ≥ 180 days) |
| ``COMMENT#<id>`` | ``REPORT#<reader>`` | one reader's report (one per reader: distinct readers) |
| ``COMMENTER#<id>`` | ``PROFILE`` | the commenter: keyed hash and last four digits of the number, penalty |
| ``VERIFY#<phone hash>`` | ``CODE`` | a verification code's hash, expiry and wrong attempts (TTL) |
| ``ARTICLE#<key>`` | ``SETTINGS`` | open or closed, close_after_days |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.dynamo import Dynamo, Item, Write, wrap
from corrigo.comments.keys import PAGE_SIZE, article_queue, public_pk, public_sk, queue_order
from corrigo.comments.model import (
    ArticleSettings,
    Comment,
    Commenter,
    CommentEvent,
    CommentStatus,
    Penalty,
    PenaltyLevel,
)
from corrigo.comments.moderation import counter_shard
from corrigo.errors import ConcurrentChange

DAY = 86400
PUBLIC_FIELDS = ("id", "nickname", "text", "created_at", "reply_to")


CONFLICT_RETRIES = 3


def _met_another_transaction(exc: Exception) -> bool:
    """A transaction cancelled only because another one held one of its items (no condition failed)."""
    response = getattr(exc.__cause__, "response", None) or {}
    codes = {str(reason.get("Code", "")) for reason in response.get("CancellationReasons", [])}
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


class AlreadyReported(Exception):
    """This reader has reported this comment before: their report is not counted twice."""


def comment_key(comment_id: str) -> dict[str, str]:
    return {"pk": f"COMMENT#{comment_id}", "sk": "COMMENT"}


def _commenter_key(commenter_id: str) -> dict[str, str]:
    return {"pk": f"COMMENTER#{commenter_id}", "sk": "PROFILE"}


def _settings_key(article_key: str) -> dict[str, str]:
    return {"pk": f"ARTICLE#{article_key}", "sk": "SETTINGS"}


def counter_key(shard: int) -> dict[str, str]:
    return {"pk": f"COUNTS#{shard}", "sk": "COUNTS"}


def _verify_key(phone_hash: str) -> dict[str, str]:
    return {"pk": f"VERIFY#{phone_hash}", "sk": "CODE"}


def comment_item(comment: Comment) -> Item:
    item: Item = {k: v for k, v in asdict(comment).items() if v is not None}
    item.update(comment_key(comment.id))
    item["status"] = comment.status.value
    item["queue_status"] = comment.status.value
    item["queue_order"] = queue_order(comment)
    item["article_queue"] = article_queue(comment)
    if comment.visible:
        # The sparse `public` index holds visible comments only: the public list is one Query.
        item["public_pk"] = public_pk(comment.article_key)
        item["public_sk"] = public_sk(comment)
    return item


def comment_from(item: Item) -> Comment:
    names = Comment.__dataclass_fields__
    data = {k: v for k, v in item.items() if k in names}
    data["status"] = CommentStatus(str(item["status"]))
    for number in ("version", "priority", "report_count"):
        if number in data:
            data[number] = int(data[number])
    return Comment(**data)


def commenter_from(item: Item) -> Commenter:
    penalty = item.get("penalty")
    return Commenter(
        id=str(item["id"]),
        phone_last4=str(item.get("phone_last4", "")),
        verified_at=str(item.get("verified_at", "")),
        penalty=Penalty(
            PenaltyLevel(str(penalty["level"])),
            str(penalty.get("reason", "")),
            str(penalty.get("since", "")),
            str(penalty["until"]) if penalty.get("until") else None,
        )
        if isinstance(penalty, dict)
        else None,
    )


def settings_from(item: Item) -> ArticleSettings:
    days = item.get("close_after_days")
    return ArticleSettings(
        article_url=str(item.get("article_url", "")),
        open=bool(item.get("open", True)),
        close_after_days=int(days) if days is not None else None,
        opened_at=str(item["opened_at"]) if item.get("opened_at") else None,
    )


class CommentsTable:
    def __init__(self, table_name: str, audit_days: int = 365, dynamodb: Any = None) -> None:
        self.db = Dynamo(table_name, dynamodb)
        self.audit_days = audit_days

    # ---- reads -----------------------------------------------------------------------------------

    def for_submit(
        self, commenter_id: str, article_key: str, reply_to: str | None
    ) -> tuple[Commenter | None, ArticleSettings | None, Comment | None]:
        """What a new comment is checked against, in one BatchGetItem: its commenter, its article's
        settings, and the comment it answers."""
        keys = [_commenter_key(commenter_id), _settings_key(article_key)]
        if reply_to:
            keys.append(comment_key(reply_to))
        request = {self.db.table_name: {"Keys": [self.db.encode(k) for k in keys], "ConsistentRead": True}}
        found: list[Item] = []
        try:
            while request:
                answer = self.db.client.batch_get_item(RequestItems=request)
                found.extend(self.db.decode(i) for i in answer.get("Responses", {}).get(self.db.table_name, []))
                request = answer.get("UnprocessedKeys") or {}
        except (ClientError, BotoCoreError) as exc:
            raise wrap(exc) from exc
        by_pk = {str(i["pk"]): i for i in found}
        commenter = by_pk.get(f"COMMENTER#{commenter_id}")
        settings = by_pk.get(f"ARTICLE#{article_key}")
        parent = by_pk.get(f"COMMENT#{reply_to}") if reply_to else None
        return (
            commenter_from(commenter) if commenter else None,
            settings_from(settings) if settings else None,
            comment_from(parent) if parent else None,
        )

    def get(self, comment_id: str) -> Comment | None:
        item = self.db.get(**comment_key(comment_id))
        return comment_from(item) if item else None

    def events(self, comment_id: str) -> list[CommentEvent]:
        items = self.db.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
            ExpressionAttributeValues={":pk": {"S": f"COMMENT#{comment_id}"}, ":e": {"S": "EVENT#"}},
        )
        return [
            CommentEvent(
                comment_id=comment_id,
                at=str(i["at"]),
                action=str(i["action"]),
                actor=str(i["actor"]),
                status_before=str(i["status_before"]) if i.get("status_before") else None,
                status_after=str(i["status_after"]),
                reason=str(i.get("reason", "")),
                detail=dict(i.get("detail") or {}),
            )
            for i in items
        ]

    def public_page(self, article_key: str, start: dict[str, str] | None) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of an article's visible comments, newest first: one Query of the `public` index."""
        items, last = self.db.page(
            start,
            IndexName="public",
            KeyConditionExpression="public_pk = :a",
            ExpressionAttributeValues={":a": {"S": public_pk(article_key)}},
            ScanIndexForward=False,
            Limit=PAGE_SIZE,
        )
        return [{k: i.get(k) for k in PUBLIC_FIELDS} for i in items], last

    def settings(self, article_key: str) -> ArticleSettings | None:
        item = self.db.get(**_settings_key(article_key))
        return settings_from(item) if item else None

    def commenter(self, commenter_id: str) -> Commenter | None:
        item = self.db.get(**_commenter_key(commenter_id))
        return commenter_from(item) if item else None

    def verification(self, phone_hash: str) -> Item | None:
        return self.db.get(**_verify_key(phone_hash))

    # ---- writes ----------------------------------------------------------------------------------

    def _event_write(self, event: CommentEvent, now_epoch: int) -> Write:
        item: Item = {
            "pk": f"COMMENT#{event.comment_id}",
            "sk": f"EVENT#{event.at}#{event.action}",
            "at": event.at,
            "action": event.action,
            "actor": event.actor,
            "status_after": event.status_after,
            "reason": event.reason,
            "detail": dict(event.detail),
            "expiration": now_epoch + self.audit_days * DAY,
        }
        if event.status_before:
            item["status_before"] = event.status_before
        return Write(self.db.put_new(item))

    def create(
        self,
        comment: Comment,
        event: CommentEvent,
        now_epoch: int,
        guards: Sequence[Write] = (),
        also: Sequence[dict[str, Any]] = (),
    ) -> None:
        """The comment, its first audit event, the rate-limit counters and any outbox message: one transaction."""
        writes = [
            Write(self.db.put_new(comment_item(comment)), ConcurrentChange("comment id taken")),
            self._event_write(event, now_epoch),
            self._count_write(comment.id, None, comment.status.value),
            *guards,
            *(Write(element) for element in also),
        ]
        for attempt in range(CONFLICT_RETRIES):
            try:
                self.db.transact(writes)
                return
            except ConcurrentChange as exc:
                # Another transaction was moving the same counter item just then (DynamoDB cancels
                # both ways): nothing was written, so the same transaction again is safe.
                if attempt == CONFLICT_RETRIES - 1 or not _met_another_transaction(exc):
                    raise

    def save(
        self,
        before: Comment,
        after: Comment,
        event: CommentEvent,
        now_epoch: int,
        *,
        report_by: str | None = None,
        guards: Sequence[Write] = (),
        also: Sequence[dict[str, Any]] = (),
    ) -> None:
        """A move of the comment, conditioned on the version read, with its audit event (and the
        reader's report item, once per reader): one transaction."""
        writes = [
            Write(
                self.db.put(
                    comment_item(after),
                    condition="version = :v",
                    values={":v": {"N": str(before.version)}},
                ),
                ConcurrentChange("the comment changed meanwhile"),
            ),
            self._event_write(event, now_epoch),
            *guards,
            *(Write(element) for element in also),
        ]
        if before.status is not after.status:
            writes.append(self._count_write(after.id, before.status.value, after.status.value))
        if report_by:
            report = {
                "pk": f"COMMENT#{after.id}",
                "sk": f"REPORT#{report_by}",
                "at": event.at,
                "reason": event.reason,
                "expiration": now_epoch + self.audit_days * DAY,
            }
            writes.append(Write(self.db.put(report, condition="attribute_not_exists(pk)"), AlreadyReported()))
        self.db.transact(writes)

    def _count_write(self, comment_id: str, leaves: str | None, enters: str) -> Write:
        """The kept counts per status (the moderators' tabs read them, never a count query): one
        counter item of COUNTER_SHARDS, always the same for a comment, moved with the comment."""
        names = {"#in": enters}
        values = {":one": {"N": "1"}}
        expression = "ADD #in :one"
        if leaves:
            names["#out"] = leaves
            values[":less"] = {"N": "-1"}
            expression += ", #out :less"
        update = {
            "TableName": self.db.table_name,
            "Key": self.db.encode(counter_key(counter_shard(comment_id))),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        return Write({"Update": update})

    def put_settings(self, settings: ArticleSettings, article_key: str, actor: str, now: str) -> None:
        item: Item = {**_settings_key(article_key), "article_url": settings.article_url, "open": settings.open}
        item.update({"opened_at": settings.opened_at or now, "updated_at": now, "updated_by": actor})
        if settings.close_after_days is not None:
            item["close_after_days"] = settings.close_after_days
        self.db.call("put_item", Item=self.db.encode(item))

    def set_penalty(self, commenter_id: str, penalty: Penalty | None) -> None:
        if penalty is None:
            expression, values = "REMOVE penalty", None
        else:
            expression, values = (
                "SET penalty = :p",
                {":p": self.db.value({k: v for k, v in asdict(penalty).items() if v is not None})},
            )
        kwargs: dict[str, Any] = {
            "Key": self.db.encode(_commenter_key(commenter_id)),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        self.db.call("update_item", **kwargs)

    def put_verification(self, phone_hash: str, code_hash: str, expires_at: int, guards: Sequence[Write]) -> None:
        """A new code for a number (replacing any earlier one), with the rate-limit counters: one transaction."""
        item = {**_verify_key(phone_hash), "code_hash": code_hash, "expires_at": expires_at, "attempts": 0}
        item["expiration"] = expires_at + DAY
        self.db.transact([Write(self.db.put(item)), *guards])

    def count_wrong_code(self, phone_hash: str) -> None:
        self.db.call(
            "update_item",
            ignore="ConditionalCheckFailedException",
            Key=self.db.encode(_verify_key(phone_hash)),
            UpdateExpression="ADD attempts :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    def confirm_commenter(self, phone_hash: str, code_hash: str, commenter_id: str, last4: str, now: str) -> None:
        """Spend the code and record the commenter (kept across verifications), in one transaction;
        a code spent meanwhile (a second confirm racing) is ConcurrentChange."""
        spend = {
            "Delete": {
                "TableName": self.db.table_name,
                "Key": self.db.encode(_verify_key(phone_hash)),
                "ConditionExpression": "code_hash = :h",
                "ExpressionAttributeValues": {":h": {"S": code_hash}},
            }
        }
        record = {
            "Update": {
                "TableName": self.db.table_name,
                "Key": self.db.encode(_commenter_key(commenter_id)),
                "UpdateExpression": "SET id = :id, phone_hash = :ph, phone_last4 = :l4, verified_at = :now, "
                "created_at = if_not_exists(created_at, :now)",
                "ExpressionAttributeValues": {
                    ":id": {"S": commenter_id},
                    ":ph": {"S": phone_hash},
                    ":l4": {"S": last4},
                    ":now": {"S": now},
                },
            }
        }
        self.db.transact([Write(spend, ConcurrentChange("code already used")), Write(record)])
