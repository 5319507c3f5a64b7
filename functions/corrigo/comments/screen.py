"""Screening a comment: the request's rules, folded word lists and classifier, read as a comment desk.

Screening never publishes. It can reject at once, with a reason code the author is shown (banned
words, links, flood), and it orders the pending queue: a clean comment gets priority 1, a suspect
one 2, so moderators clear the plain comments fast and read the doubtful ones together.
Comments take no links (``max_links=0``); everything else is the shared ``ScreeningThresholds``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from corrigo.classifier import Classification
from corrigo.comments.model import ReasonCode
from corrigo.screening import Evidence, ScreeningConfig, ScreeningReport, screen

# A finding that rejects at once, and the reason the author is shown; the first one found wins.
_REJECTING = (
    ("banned_words", ReasonCode.BANNED_WORDS),
    ("many_links", ReasonCode.LINKS),
    ("link_density", ReasonCode.LINKS),
    ("repeated_text", ReasonCode.FLOOD),
)
CLEAN, SUSPECT = 1, 2


@dataclass(frozen=True)
class CommentScreening:
    report: ScreeningReport
    reject: ReasonCode | None
    priority: int


def comment_config(config: ScreeningConfig) -> ScreeningConfig:
    return replace(config, thresholds=replace(config.thresholds, max_links=0))


def screen_comment(
    nickname: str, text: str, config: ScreeningConfig, classification: Classification | None = None
) -> CommentScreening:
    texts = {"nickname": nickname, "text": text}
    report = screen({}, Evidence(channel="comment", classification=classification), config, texts=texts)
    rules = set(report.rules)
    reject = next((reason for rule, reason in _REJECTING if rule in rules), None)
    priority = SUSPECT if report.score >= config.thresholds.suspect else CLEAN
    return CommentScreening(report, reject, priority)
