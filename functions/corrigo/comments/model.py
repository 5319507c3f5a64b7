"""A reader comment as the service keeps it, and the words people read for its states and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CommentStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator (every comment starts here)
    APPROVED = "approved"  # published
    REJECTED = "rejected"  # not published; the author sees the reason and may appeal once
    REPORTED = "reported"  # published, reported by readers: back in review (hidden past the threshold)
    APPEALED = "appealed"  # rejected, and the author asked for a second review


class ReasonCode(StrEnum):
    """Why a comment was not published (screening's codes first, then the moderators')."""

    BANNED_WORDS = "banned_words"
    LINKS = "links"
    FLOOD = "flood"
    ABUSE = "abuse"
    SPAM = "spam"
    ILLEGAL = "illegal"
    PRIVACY = "privacy"
    MISINFORMATION = "misinformation"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class PenaltyLevel(StrEnum):
    WARN = "warn"  # recorded and shown to moderators; the commenter may still comment
    MUTE = "mute"  # no new comments until the penalty ends
    BAN = "ban"  # no new comments, for good (or until lifted)


REASON_LABELS: dict[ReasonCode, dict[str, str]] = {
    ReasonCode.BANNED_WORDS: {"zh": "含有违禁词语", "en": "It contains prohibited words"},
    ReasonCode.LINKS: {"zh": "评论中不能包含链接", "en": "Comments may not contain links"},
    ReasonCode.FLOOD: {"zh": "重复或刷屏内容", "en": "Repeated or flooding content"},
    ReasonCode.ABUSE: {"zh": "辱骂、人身攻击或威胁", "en": "Abuse, personal attacks or threats"},
    ReasonCode.SPAM: {"zh": "广告或垃圾信息", "en": "Advertising or spam"},
    ReasonCode.ILLEGAL: {"zh": "违反法律法规", "en": "It breaks the law"},
    ReasonCode.PRIVACY: {"zh": "泄露他人个人信息", "en": "It discloses someone's personal information"},
    ReasonCode.MISINFORMATION: {"zh": "散布虚假信息", "en": "It spreads false information"},
    ReasonCode.OFF_TOPIC: {"zh": "与文章内容无关", "en": "It is not about the article"},
    ReasonCode.OTHER: {"zh": "不符合评论规则", "en": "It does not follow the comment rules"},
}

STATUS_LABELS: dict[CommentStatus, dict[str, str]] = {
    CommentStatus.PENDING: {"zh": "审核中", "en": "Under review"},
    CommentStatus.APPROVED: {"zh": "已发布", "en": "Published"},
    CommentStatus.REJECTED: {"zh": "未通过", "en": "Not published"},
    # The author's view of a reported comment: still published, being looked at again.
    CommentStatus.REPORTED: {"zh": "已发布（复核中）", "en": "Published (being reviewed again)"},
    CommentStatus.APPEALED: {"zh": "申诉审核中", "en": "Appeal under review"},
}


def reason_label(code: str | None, language: str) -> str:
    try:
        return REASON_LABELS[ReasonCode(code or "other")][language]
    except ValueError:
        return REASON_LABELS[ReasonCode.OTHER][language]


def status_label(status: CommentStatus, language: str) -> str:
    return STATUS_LABELS[status][language]


@dataclass(frozen=True)
class Comment:
    id: str
    article_url: str
    article_key: str  # corrigo.comments.keys.article_key(article_url)
    commenter: str  # the commenter's id (never their number)
    nickname: str
    text: str
    status: CommentStatus
    created_at: str  # ISO UTC
    updated_at: str
    language: str
    status_token_hash: str  # the author's link carries the token; only its hash is kept
    version: int = 1
    reply_to: str | None = None
    reason_code: str | None = None  # why it was rejected
    reason_note: str | None = None  # a moderator's words to the author, shown with the reason
    screening: dict[str, Any] | None = None  # corrigo.screening.ScreeningReport.as_dict()
    priority: int = 1  # its place in the pending queue: 1 clean, 2 suspect (corrigo.comments.screen)
    quiet_until: str | None = None  # submitted in quiet hours: review waits until then (ISO UTC)
    report_count: int = 0  # reports from distinct readers since it was last approved
    hidden: bool = False  # reported by enough readers: off the public list until a decision
    appeal_text: str | None = None
    appealed_at: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    email: str | None = None  # the author's address, when they gave one: told the outcome by mail

    @property
    def visible(self) -> bool:
        """Shown on the article: approved, or reported by fewer readers than the threshold."""
        return self.status is CommentStatus.APPROVED or (self.status is CommentStatus.REPORTED and not self.hidden)


@dataclass(frozen=True)
class Penalty:
    level: PenaltyLevel
    reason: str
    since: str
    until: str | None = None  # ISO UTC; None: until lifted


@dataclass(frozen=True)
class Commenter:
    id: str
    phone_last4: str
    verified_at: str
    penalty: Penalty | None = None


@dataclass(frozen=True)
class ArticleSettings:
    """Per article: whether it takes comments, and for how long (moderators set these)."""

    article_url: str
    open: bool = True
    close_after_days: int | None = None  # closed this many days after ``opened_at``
    opened_at: str | None = None  # when comments opened (the settings' first write, or the article's publication)


@dataclass(frozen=True)
class CommentEvent:
    """One audit record: who did what to a comment, why, and when (kept at least 180 days)."""

    comment_id: str
    at: str
    action: str
    actor: str
    status_before: str | None
    status_after: str
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
