"""Reader comments: submit (pending, or rejected by screening at once), the public list, the
author's view, appeals, reports, and the moderators' approve and reject (which the editors' API uses).

``submit`` makes two AWS calls before its answer: one BatchGetItem (the commenter, the article's
settings, the comment replied to) and one TransactWriteItems (the comment, its audit event, the
rate-limit counters and, for an immediate rejection, the outbox message). Every later move is a
version-conditioned transaction with its audit event; a decision also puts a ``CommentDecided``
event in the outbox, in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.comments_table import AlreadyReported, CommentsTable
from adapters.dynamo import Write
from adapters.outbox_table import OutboxTable
from adapters.rate_limits import transaction_guards
from corrigo import outbox
from corrigo.classifier import Classifier, LocalClassifier
from corrigo.comments import identity, lifecycle
from corrigo.comments.config import CommentSettings
from corrigo.comments.errors import CommentsClosed, NotVerified
from corrigo.comments.forms import APPEAL, COMMENT, REPORT, checked, refuse
from corrigo.comments.keys import article_key, decode_cursor, encode_cursor, is_site_article
from corrigo.comments.model import ArticleSettings, Comment, CommentEvent, CommentStatus, ReasonCode
from corrigo.comments.penalties import check_may_comment
from corrigo.comments.schedule import is_open
from corrigo.comments.screen import comment_config, screen_comment
from corrigo.errors import BadQuery, ConcurrentChange, NotFound
from corrigo.ratelimit import counters_for
from corrigo.references import REFERENCE_ALPHABET
from corrigo.screening import ScreeningConfig

DECIDED = "CommentDecided"  # the outbox event of every decision (EventBridge detail-type)
_RETRIES = 5  # concurrent reports of one comment: each re-reads and tries again
_BAD_QUERY = {
    "article_url": {"zh": "请提供本网站稿件的完整网址", "en": "must be the full address of an article on our site"},
    "cursor": {
        "zh": "翻页参数无效，请从第一页重新开始",
        "en": "is not a cursor of this list; start from the first page",
    },
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return "C" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))


@dataclass(frozen=True)
class Accepted:
    comment: Comment
    status_token: str


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


class CommentService:
    def __init__(
        self,
        settings: CommentSettings,
        keys: identity.Keys,
        table: CommentsTable,
        outbox_table: OutboxTable,
        screening: ScreeningConfig,
        classifier: Classifier | None = None,
        clock: Callable[[], datetime] = _utc_now,
        new_id: Callable[[], str] = _new_id,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.table = table
        self.outbox = outbox_table
        self.screening = comment_config(screening)
        # Local word lists only: a Comprehend call would be a third AWS call before the answer.
        self.classifier = classifier or LocalClassifier()
        self.clock = clock
        self.new_id = new_id
        self.new_token = new_token

    # ---- readers and authors ---------------------------------------------------------------------

    def commenter_of(self, token: str | None) -> str:
        commenter = identity.token_commenter(self.keys, token, self.clock().timestamp())
        if commenter is None:
            raise NotVerified("no valid commenter token")
        return commenter

    def submit(self, raw: Mapping[str, Any] | Any, token: str | None, ip: str, language: str) -> Accepted:
        commenter_id = self.commenter_of(token)
        data = checked(COMMENT, raw, self.settings.site_domains, language)
        language = str(data.get("language") or language)
        key = article_key(str(data["article_url"]))
        reply_to = str(data["reply_to"]) if data.get("reply_to") else None
        commenter, article, parent = self.table.for_submit(commenter_id, key, reply_to)
        if commenter is None:
            raise NotVerified("the token's commenter is not on record")
        now = self.clock()
        warned = check_may_comment(commenter, now)
        if not is_open(article, now):
            raise CommentsClosed(str(data["article_url"]))
        if reply_to and (parent is None or parent.article_key != key or not parent.visible):
            raise refuse(COMMENT, "reply_to", "gone", data, language)
        nickname, text = str(data["nickname"]), str(data["text"])
        classification = self.classifier.classify({"nickname": nickname, "text": text}, language)
        screened = screen_comment(nickname, text, self.screening, classification)
        quiet = self.settings.quiet_hours.until(now) if self.settings.quiet_hours else None
        status_token = self.new_token()
        stamp = _iso(now)
        report = screened.report.as_dict()
        if warned:
            report["commenter_warned"] = True
        comment = Comment(
            id=self.new_id(),
            article_url=str(data["article_url"]),
            article_key=key,
            commenter=commenter_id,
            nickname=nickname,
            text=text,
            status=CommentStatus.REJECTED if screened.reject else CommentStatus.PENDING,
            created_at=stamp,
            updated_at=stamp,
            language=language,
            status_token_hash=identity.status_token_hash(status_token),
            reply_to=reply_to,
            email=str(data["email"]) if data.get("email") else None,
            reason_code=screened.reject.value if screened.reject else None,
            screening=report,
            priority=screened.priority,
            quiet_until=_iso(quiet) if quiet and not screened.reject else None,
            decided_at=stamp if screened.reject else None,
            decided_by=lifecycle.SYSTEM if screened.reject else None,
        )
        event = lifecycle.submitted(comment, f"commenter:{commenter_id}")
        epoch = int(now.timestamp())
        values = {"commenter": commenter_id, "comment_ip": ip}
        counters = counters_for(self.settings.comment_limits, values, now=now.timestamp())
        guards = [Write(e, r) for e, r in transaction_guards(self.settings.rate_limit_table_name, counters)]
        also = [self._decided(comment, epoch)] if screened.reject else []
        self.table.create(comment, event, epoch, guards, also)
        return Accepted(comment, status_token)

    def public_page(self, article_url: str | None, cursor: str | None, language: str) -> Page:
        """One page of an article's published comments, newest first: one index query."""
        if not article_url or not is_site_article(article_url, self.settings.site_domains):
            raise BadQuery("article_url", _BAD_QUERY["article_url"][language])
        key = article_key(article_url)
        start = None
        if cursor:
            start = decode_cursor(cursor, key)
            if start is None:
                raise BadQuery("cursor", _BAD_QUERY["cursor"][language])
        items, last = self.table.public_page(key, start)
        return Page(items, encode_cursor(last))

    def author_view(self, comment_id: str, token: str | None) -> Comment:
        comment = self.table.get(comment_id) if _plausible_id(comment_id) else None
        if comment is None or not identity.status_token_matches(token, comment.status_token_hash):
            raise NotFound(comment_id)
        return comment

    def appeal(self, comment_id: str, token: str | None, raw: Mapping[str, Any] | Any, language: str) -> Comment:
        data = checked(APPEAL, raw, self.settings.site_domains, language)
        comment = self.author_view(comment_id, token or str(data.get("token") or ""))
        now = self.clock()
        after, event = lifecycle.appeal(comment, str(data["text"]), _iso(now))
        self.table.save(comment, after, event, int(now.timestamp()))
        return after

    def report(
        self, comment_id: str, raw: Mapping[str, Any] | Any, reader_token: str | None, ip: str, language: str
    ) -> None:
        """Count one distinct reader's report; a comment readers cannot see, or a second report by the
        same reader, is answered the same and changes nothing."""
        data = checked(REPORT, raw, self.settings.site_domains, language)
        reader_commenter = identity.token_commenter(self.keys, reader_token, self.clock().timestamp())
        reader = identity.reader_key(self.keys, reader_commenter, ip)
        for attempt in range(_RETRIES):
            comment = self.table.get(comment_id) if _plausible_id(comment_id) else None
            if comment is None:
                raise NotFound(comment_id)
            now = self.clock()
            moved = lifecycle.report(comment, reader, str(data["reason"]), self.settings.report_threshold, _iso(now))
            if moved is None:
                return
            after, event = moved
            counters = counters_for(self.settings.report_limits, {"report_ip": ip}, now=now.timestamp())
            guards = [Write(e, r) for e, r in transaction_guards(self.settings.rate_limit_table_name, counters)]
            try:
                self.table.save(comment, after, event, int(now.timestamp()), report_by=reader, guards=guards)
                return
            except AlreadyReported:
                return
            except ConcurrentChange:
                if attempt == _RETRIES - 1:
                    raise

    # ---- moderators (the editors' API builds on these) ------------------------------------------

    def approve(self, comment_id: str, actor: str, note: str = "") -> Comment:
        comment = self._existing(comment_id)
        now = self.clock()
        after, event = lifecycle.approve(comment, actor, _iso(now), note)
        return self._decide(comment, after, event, now)

    def reject(self, comment_id: str, actor: str, reason: ReasonCode, note: str = "") -> Comment:
        comment = self._existing(comment_id)
        now = self.clock()
        after, event = lifecycle.reject(comment, actor, reason, _iso(now), note)
        return self._decide(comment, after, event, now)

    def set_article(self, settings: ArticleSettings, actor: str) -> None:
        self.table.put_settings(settings, article_key(settings.article_url), actor, _iso(self.clock()))

    def history(self, comment_id: str) -> list[CommentEvent]:
        return self.table.events(comment_id)

    # ---- helpers ---------------------------------------------------------------------------------

    def _existing(self, comment_id: str) -> Comment:
        comment = self.table.get(comment_id) if _plausible_id(comment_id) else None
        if comment is None:
            raise NotFound(comment_id)
        return comment

    def _decide(self, before: Comment, after: Comment, event: CommentEvent, now: datetime) -> Comment:
        epoch = int(now.timestamp())
        self.table.save(before, after, event, epoch, also=[self._decided(after, epoch)])
        return after

    def _decided(self, comment: Comment, epoch: int) -> dict[str, Any]:
        return self.outbox.put_write(decided_event(comment), epoch)


def decided_event(comment: Comment) -> outbox.OutboxMessage:
    """The outbox event of a decision on ``comment``: one per version, so a retried save writes the same."""
    detail = {
        "comment_id": comment.id,
        "article_url": comment.article_url,
        "status": comment.status.value,
        "reason_code": comment.reason_code or "",
    }
    return outbox.event(f"{comment.id}#{comment.version}", comment.id, DECIDED, comment.updated_at, detail)


def _plausible_id(comment_id: str) -> bool:
    return len(comment_id) == 13 and comment_id.startswith("C") and comment_id[1:].isalnum()
