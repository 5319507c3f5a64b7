"""Graded penalties (warn, mute, ban), checked when a commenter submits a comment."""

from __future__ import annotations

from datetime import datetime

from corrigo.comments.errors import CommenterRestricted
from corrigo.comments.model import Commenter, PenaltyLevel


def in_force(commenter: Commenter, now: datetime) -> bool:
    penalty = commenter.penalty
    if penalty is None:
        return False
    return penalty.until is None or datetime.fromisoformat(penalty.until.replace("Z", "+00:00")) > now


def check_may_comment(commenter: Commenter, now: datetime) -> bool:
    """Raise CommenterRestricted for a mute or ban in force; True when a warning is in force (the
    comment is taken, and moderators see the warning)."""
    if not in_force(commenter, now):
        return False
    assert commenter.penalty is not None
    if commenter.penalty.level is PenaltyLevel.WARN:
        return True
    raise CommenterRestricted(commenter.penalty.level.value, commenter.penalty.until)
