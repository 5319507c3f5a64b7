"""The moderators' moves on reader comments: the queues and their kept counts, claims (the page's
soft lock), approve and reject (one at a time or in bulk), penalties and article settings.

Every move is one transaction with its audit event (actor, reason, time; kept CommentAuditRetentionDays,
at least 180 days). A decision also releases the moderator's claim and puts, in the same transaction,
the ``CommentDecided`` event and, when the author gave an address, the mail telling them the outcome
(corrigo.outbox; delivered by the outbox's consumer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.comment_queue import CommentQueue, decode_cursor, encode_cursor
from adapters.comments_table import CommentsTable
from adapters.outbox_table import OutboxTable
from corrigo import outbox
from corrigo.comments import lifecycle
from corrigo.comments.config import ModerationSettings
from corrigo.comments.errors import ActionNotAllowed
from corrigo.comments.keys import article_key, is_site_article
from corrigo.comments.model import ArticleSettings, Comment, CommentEvent, CommentStatus, PenaltyLevel, ReasonCode
from corrigo.comments.moderation import Claim, ClaimedByOther, new_claim, penalty
from corrigo.errors import BadQuery, ConcurrentChange, NotFound
from corrigo.review import Editor
from services.comments import decided_event

COMMENT_DECIDED_MAIL = "comment_decided"  # the outbox mail kind telling an author the outcome
_RETRIES = 3  # a report landing between our read and our write: read again and decide again


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """DynamoDB's numbers (Decimal) as JSON numbers, all the way down."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _plausible_id(comment_id: str) -> bool:
    return len(comment_id) == 13 and comment_id.startswith("C") and comment_id[1:].isalnum()


def claim_view(claim: Claim | None, now_epoch: float) -> dict[str, Any] | None:
    if claim is None or not claim.in_force(now_epoch):
        return None
    until = datetime.fromtimestamp(claim.until, UTC)
    return {"holder": claim.holder, "holder_name": claim.holder_name, "until": _iso(until)}


class CommentModeration:
    def __init__(
        self,
        settings: ModerationSettings,
        table: CommentsTable,
        queue: CommentQueue,
        outbox_table: OutboxTable,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.table = table
        self.queue = queue
        self.outbox = outbox_table
        self.clock = clock

    # ---- reading the queues ------------------------------------------------------------------------

    def list(self, status: str, article_url: str | None, commenter: str | None, cursor: str | None) -> dict[str, Any]:
        """One page of a queue (by status; one article's, or one commenter's), and the counts per status."""
        try:
            wanted = CommentStatus(status)
        except ValueError as exc:
            raise BadQuery("status", "pending, reported, approved, rejected or appealed") from exc
        if article_url:
            if not is_site_article(article_url, self.settings.site_domains):
                raise BadQuery("article_url", "must be the full address of an article on our site")
            index, partition, only = "article_queue", f"{article_key(article_url)}#{wanted.value}", None
        elif commenter:
            index, partition, only = "by_commenter", commenter, wanted.value
        else:
            index, partition, only = "moderation", wanted.value, None
        start = None
        if cursor:
            start = decode_cursor(cursor, index, partition)
            if start is None:
                raise BadQuery("cursor", "is not a cursor of this list; start from the first page")
        rows, last = self.queue.page(index, partition, start, status=only)
        return plain({"items": rows, "next_cursor": encode_cursor(last), "counts": self.queue.counts()})

    def counts(self) -> dict[str, int]:
        return self.queue.counts()

    def detail(self, comment_id: str) -> dict[str, Any]:
        """The comment, its audit trail, who holds it, and the commenter's history and penalty beside it."""
        comment = self._existing(comment_id)
        commenter = self.table.commenter(comment.commenter)
        now_epoch = self.clock().timestamp()
        history = [row for row in self.queue.history(comment.commenter) if row.get("id") != comment.id]
        return plain(
            {
                "comment": _comment_view(comment),
                "events": [_event_view(e) for e in self.table.events(comment.id)],
                "claim": claim_view(self.queue.claim_of(comment.id), now_epoch),
                "commenter": {
                    "id": comment.commenter,
                    "phone_last4": commenter.phone_last4 if commenter else "",
                    "penalty": _penalty_view(commenter.penalty) if commenter and commenter.penalty else None,
                    "history": history,
                    "events": self.queue.commenter_events(comment.commenter),
                },
            }
        )

    # ---- claims ------------------------------------------------------------------------------------

    def claim(self, comment_id: str, editor: Editor) -> dict[str, Any]:
        self._check_id(comment_id)
        now = self.clock().timestamp()
        claim = new_claim(comment_id, editor.id, editor.name, now)
        self.queue.take_claim(claim, int(now))
        return {"id": comment_id, "claim": claim_view(claim, now)}

    def release(self, comment_id: str, editor: Editor) -> dict[str, Any]:
        self._check_id(comment_id)
        self.queue.release(comment_id, editor.id, int(self.clock().timestamp()))
        return {"id": comment_id, "claim": None}

    # ---- decisions ---------------------------------------------------------------------------------

    def approve(self, comment_id: str, editor: Editor, note: str = "") -> Comment:
        return self._decide(comment_id, editor, lambda c, now: lifecycle.approve(c, editor.id, now, note))

    def reject(self, comment_id: str, editor: Editor, reason: ReasonCode, note: str = "") -> Comment:
        return self._decide(comment_id, editor, lambda c, now: lifecycle.reject(c, editor.id, reason, now, note))

    def bulk(self, ids: list[str], action: str, editor: Editor, reason: ReasonCode | None) -> list[dict[str, Any]]:
        """Each comment decided on its own (its own transaction); one refused does not stop the rest,
        and the answer says, for each id, what came of it."""
        results: list[dict[str, Any]] = []
        for comment_id in ids:
            try:
                if action == "approve":
                    done = self.approve(comment_id, editor)
                else:
                    assert reason is not None
                    done = self.reject(comment_id, editor, reason)
                results.append({"id": comment_id, "ok": True, "status": done.status.value})
            except ClaimedByOther as exc:
                results.append({"id": comment_id, "ok": False, "error": "claimed", "holder": exc.holder})
            except ActionNotAllowed as exc:
                results.append({"id": comment_id, "ok": False, "error": "not_allowed", "status": exc.status})
            except NotFound:
                results.append({"id": comment_id, "ok": False, "error": "not_found"})
            except ConcurrentChange:
                results.append({"id": comment_id, "ok": False, "error": "changed"})
        return results

    # ---- commenters and articles -------------------------------------------------------------------

    def penalize(
        self, commenter_id: str, level: PenaltyLevel, days: int | None, reason: str, editor: Editor
    ) -> dict[str, Any]:
        now = self.clock()
        given = penalty(level, reason, now, days)
        detail = {"level": level.value, "days": days or 0, "until": given.until or "", "actor_name": editor.name}
        self.queue.penalize(commenter_id, given, editor.id, detail, int(now.timestamp()))
        return {"commenter": commenter_id, "penalty": _penalty_view(given)}

    def article_settings(
        self, article_url: str, open_: bool, close_after_days: int | None, editor: Editor
    ) -> dict[str, Any]:
        now = self.clock()
        wanted = ArticleSettings(article_url, open_, close_after_days)
        detail = {"open": open_, "close_after_days": close_after_days or 0, "actor_name": editor.name}
        key = article_key(article_url)
        saved = self.queue.save_settings(wanted, key, editor.id, _iso(now), int(now.timestamp()), detail)
        quiet = self.settings.quiet_hours
        return {
            "article_url": saved.article_url,
            "open": saved.open,
            "close_after_days": saved.close_after_days,
            "opened_at": saved.opened_at,
            "quiet_hours": {"hours": quiet.describe(), "timezone": "Asia/Shanghai"} if quiet else None,
        }

    # ---- helpers -----------------------------------------------------------------------------------

    def _check_id(self, comment_id: str) -> None:
        if not _plausible_id(comment_id):
            raise NotFound(comment_id)

    def _existing(self, comment_id: str) -> Comment:
        comment = self.table.get(comment_id) if _plausible_id(comment_id) else None
        if comment is None:
            raise NotFound(comment_id)
        return comment

    def _decide(
        self,
        comment_id: str,
        editor: Editor,
        move: Callable[[Comment, str], tuple[Comment, CommentEvent]],
    ) -> Comment:
        for attempt in range(_RETRIES):
            comment = self._existing(comment_id)
            now = self.clock()
            epoch = int(now.timestamp())
            after, event = move(comment, _iso(now))
            event = replace(event, detail={**event.detail, "actor_name": editor.name})
            release = self.queue.release_write(comment_id, editor.id, epoch)
            also = [self.outbox.put_write(decided_event(after), epoch), *self._mail(after, epoch)]
            try:
                self.table.save(comment, after, event, epoch, guards=[release], also=also)
                return after
            except ConcurrentChange:
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _mail(self, comment: Comment, epoch: int) -> list[dict[str, Any]]:
        """The author's mail about the outcome, when they gave an address (composed at delivery from
        the comment: the outbox holds no personal data)."""
        if not comment.email:
            return []
        message = outbox.email(
            f"{comment.id}#{comment.version}#mail",
            comment.id,
            COMMENT_DECIDED_MAIL,
            comment.updated_at,
            occasion=str(comment.version),
        )
        return [self.outbox.put_write(message, epoch)]


def _comment_view(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "article_url": comment.article_url,
        "commenter": comment.commenter,
        "nickname": comment.nickname,
        "text": comment.text,
        "status": comment.status.value,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "reply_to": comment.reply_to,
        "reason_code": comment.reason_code,
        "reason_note": comment.reason_note,
        "screening": comment.screening,
        "priority": comment.priority,
        "report_count": comment.report_count,
        "hidden": comment.hidden,
        "appeal_text": comment.appeal_text,
        "quiet_until": comment.quiet_until,
        "decided_at": comment.decided_at,
        "decided_by": comment.decided_by,
        "version": comment.version,
    }


def _event_view(event: CommentEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "action": event.action,
        "actor": event.actor,
        "status_before": event.status_before,
        "status_after": event.status_after,
        "reason": event.reason,
        "detail": event.detail,
    }


def _penalty_view(given: Any) -> dict[str, Any]:
    return {"level": given.level.value, "reason": given.reason, "since": given.since, "until": given.until}
