"""The moderators' rules: which queues there are, the soft lock a moderator's page takes on a
comment (a claim), penalties by level and length, bulk actions, and the kept counts per status.

A claim is the page's soft lock, not a permission: approve and reject need none, and are refused
(ClaimedByOther, 409) only while ANOTHER moderator's claim is in force. It lapses by itself after
CLAIM_SECONDS and is released by the holder's decision. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from corrigo.comments.model import CommentStatus, Penalty, PenaltyLevel, ReasonCode
from corrigo.errors import CorrigoError

CLAIM_SECONDS = 300  # a claim lapses after five minutes: a moderator who walks away holds nothing
BULK_MAX = 50  # ids in one bulk action: each is its own transaction, and the answer lists each
PENALTY_MAX_DAYS = 3650
NOTE_MAX = 500  # characters of a moderator's note to the author (shown with the reason)
REASON_MAX = 500  # characters of a penalty's reason (kept in the audit trail)
COUNTER_SHARDS = 32  # the per-status counts are spread over this many items: few transactions meet on one
QUEUE_STATUSES = tuple(CommentStatus)
# Every action a comment's, a commenter's or an article's audit trail can hold (corrigo.comments.lifecycle's
# moves, and the moderators' penalties and settings); the editors' page labels each.
PENALTY_ACTION = "penalty"
SETTINGS_ACTION = "settings"
AUDIT_ACTIONS = ("submit", "approve", "reject", "report", "appeal", PENALTY_ACTION, SETTINGS_ACTION)


class ClaimedByOther(CorrigoError):
    """Another moderator's claim on the comment is in force (409)."""

    def __init__(self, comment_id: str, holder: str, until: int) -> None:
        super().__init__(f"{comment_id} is claimed by {holder}")
        self.comment_id = comment_id
        self.holder = holder
        self.until = until


class BulkAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class Claim:
    comment_id: str
    holder: str  # the moderator's id (email)
    holder_name: str
    until: int  # epoch seconds

    def in_force(self, now_epoch: float) -> bool:
        return self.until > now_epoch

    def blocks(self, moderator: str, now_epoch: float) -> bool:
        """True when this claim keeps ``moderator`` from deciding: another's, and not lapsed."""
        return self.holder != moderator and self.in_force(now_epoch)


def new_claim(comment_id: str, moderator: str, name: str, now_epoch: float) -> Claim:
    return Claim(comment_id, moderator, name, int(now_epoch) + CLAIM_SECONDS)


def penalty(level: PenaltyLevel, reason: str, now: datetime, days: int | None) -> Penalty:
    """A warning or mute lasts ``days`` when given (a mute without days lasts until lifted); a ban
    lasts ``days`` when given, else for good."""
    since = _iso(now)
    until = _iso(now + timedelta(days=days)) if days else None
    return Penalty(level, reason, since, until)


def counter_shard(comment_id: str) -> int:
    """Which counter item a comment's moves update (always the same one for a comment, so a move's
    minus and plus are one update)."""
    return int(hashlib.sha256(comment_id.encode("utf-8")).hexdigest()[:8], 16) % COUNTER_SHARDS


def sum_counts(shards: list[Mapping[str, Any]]) -> dict[str, int]:
    """The counts per status, from the counter items (a status never counted is 0)."""
    totals = {status.value: 0 for status in QUEUE_STATUSES}
    for shard in shards:
        for status in totals:
            totals[status] += int(shard.get(status, 0) or 0)
    return {status: max(count, 0) for status, count in totals.items()}


def parse_reason(value: Any) -> ReasonCode | None:
    try:
        return ReasonCode(str(value))
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
