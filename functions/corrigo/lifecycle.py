"""The request's lifecycle: statuses, who may move it where, and the audit event each move leaves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    QUARANTINED = "quarantined"
    INCOMPLETE = "incomplete"
    IN_REVIEW = "in_review"
    AWAITING_REQUESTER = "awaiting_requester"
    RESOLVED = "resolved"


class Outcome(StrEnum):
    CORRECTED = "corrected"
    UPDATED = "updated"
    REMOVED = "removed"
    REJECTED = "rejected"
    FORWARDED_TO_SOURCE = "forwarded_to_source"
    MERGED = "merged"


class Action(StrEnum):
    SUBMIT = "submit"
    SCREEN_PASS = "screen_pass"  # noqa: S105 (an action name, not a password)
    SCREEN_QUARANTINE = "screen_quarantine"
    MARK_INCOMPLETE = "mark_incomplete"
    COMPLETE = "complete"
    RELEASE_QUARANTINE = "release_quarantine"
    # An editor agrees with screening: the held request is closed as `rejected` (issue 5).
    CONFIRM_QUARANTINE = "confirm_quarantine"
    CLAIM = "claim"
    RELEASE = "release"
    ASK = "ask"
    ANSWER = "answer"
    RESOLVE = "resolve"
    MERGE = "merge"
    REOPEN = "reopen"
    # Screening found an open request about the same passage of the same article (issue 5):
    # resolved as `merged` into it at once, its requester told the outcome when that one is decided.
    SCREEN_DUPLICATE = "screen_duplicate"
    # Not transitions: recorded in the audit trail with the status unchanged (see TRANSITIONS).
    NOTE = "note"
    ESCALATE = "escalate"
    # Email intake (issue 3): a mail from the requester kept in the history, and a bounce of our mail.
    MAIL_RECEIVED = "mail_received"
    UNDELIVERABLE = "undeliverable"
    # Issue 9: the requester's address followed its confirmation link (it may now be sent their text).
    CONFIRM_CONTACT = "confirm_contact"
    # Issue 9 (PIPL): the requester's personal data erased (on request, or after retention); not a transition.
    ERASE = "erase"


# Where each action may start from, and where it leads.
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.SCREEN_PASS: (frozenset({Status.RECEIVED}), Status.QUEUED),
    Action.SCREEN_QUARANTINE: (frozenset({Status.RECEIVED}), Status.QUARANTINED),
    Action.MARK_INCOMPLETE: (frozenset({Status.RECEIVED}), Status.INCOMPLETE),
    Action.SCREEN_DUPLICATE: (frozenset({Status.RECEIVED}), Status.RESOLVED),
    Action.COMPLETE: (frozenset({Status.INCOMPLETE}), Status.RECEIVED),
    Action.RELEASE_QUARANTINE: (frozenset({Status.QUARANTINED}), Status.QUEUED),
    Action.CONFIRM_QUARANTINE: (frozenset({Status.QUARANTINED}), Status.RESOLVED),
    Action.CLAIM: (frozenset({Status.QUEUED}), Status.IN_REVIEW),
    Action.RELEASE: (frozenset({Status.IN_REVIEW}), Status.QUEUED),
    Action.ASK: (frozenset({Status.IN_REVIEW}), Status.AWAITING_REQUESTER),
    Action.ANSWER: (frozenset({Status.AWAITING_REQUESTER}), Status.IN_REVIEW),
    Action.RESOLVE: (frozenset({Status.IN_REVIEW}), Status.RESOLVED),
    Action.MERGE: (
        frozenset({Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER, Status.QUARANTINED}),
        Status.RESOLVED,
    ),
    Action.REOPEN: (frozenset({Status.RESOLVED, Status.QUARANTINED}), Status.QUEUED),
}

OPEN_STATUSES = (Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER)

# Shown to requesters on the status page; internal steps (screening verdicts, notes) are not.
PUBLIC_ACTIONS = frozenset(
    {
        Action.SUBMIT,
        Action.SCREEN_PASS,
        Action.MARK_INCOMPLETE,
        Action.COMPLETE,
        Action.CLAIM,
        Action.ASK,
        Action.ANSWER,
        Action.RESOLVE,
        Action.MERGE,
        Action.REOPEN,
        Action.RELEASE_QUARANTINE,
        Action.CONFIRM_QUARANTINE,
        Action.SCREEN_DUPLICATE,
        Action.ERASE,
    }
)

STATUS_LABELS: dict[Status, dict[str, str]] = {
    Status.RECEIVED: {"zh": "已收到", "en": "Received"},
    Status.QUEUED: {"zh": "排队待审", "en": "Waiting for an editor"},
    Status.QUARANTINED: {"zh": "待核查", "en": "Held for checks"},
    Status.INCOMPLETE: {"zh": "信息不全", "en": "Incomplete"},
    Status.IN_REVIEW: {"zh": "编辑处理中", "en": "Being reviewed"},
    Status.AWAITING_REQUESTER: {"zh": "等待您补充信息", "en": "Waiting for your answer"},
    Status.RESOLVED: {"zh": "已处理", "en": "Resolved"},
}

OUTCOME_LABELS: dict[Outcome, dict[str, str]] = {
    Outcome.CORRECTED: {"zh": "已更正", "en": "Corrected"},
    Outcome.UPDATED: {"zh": "已修改/补充", "en": "Updated"},
    Outcome.REMOVED: {"zh": "已删除", "en": "Removed"},
    Outcome.REJECTED: {"zh": "不予修改", "en": "Not changed"},
    Outcome.FORWARDED_TO_SOURCE: {"zh": "已转原发媒体", "en": "Referred to the original publisher"},
    Outcome.MERGED: {"zh": "已合并至其他申请", "en": "Merged with another request"},
}

ACTION_LABELS: dict[Action, dict[str, str]] = {
    Action.SUBMIT: {"zh": "提交申请", "en": "Request submitted"},
    Action.SCREEN_PASS: {"zh": "进入审核队列", "en": "Queued for review"},
    Action.SCREEN_QUARANTINE: {"zh": "转入核查", "en": "Held for checks"},
    Action.MARK_INCOMPLETE: {"zh": "信息不全，已请您补充", "en": "Incomplete: we asked you for the rest"},
    Action.COMPLETE: {"zh": "已补全信息", "en": "Completed"},
    Action.RELEASE_QUARANTINE: {"zh": "核查通过，进入审核队列", "en": "Checked and queued for review"},
    Action.CONFIRM_QUARANTINE: {"zh": "核查后不予受理", "en": "Checked and not taken up"},
    Action.CLAIM: {"zh": "编辑开始处理", "en": "An editor took it up"},
    Action.RELEASE: {"zh": "退回队列", "en": "Returned to the queue"},
    Action.ASK: {"zh": "编辑请您补充信息", "en": "The editor asked you a question"},
    Action.ANSWER: {"zh": "您已回复", "en": "You answered"},
    Action.RESOLVE: {"zh": "处理完毕", "en": "Decided"},
    Action.MERGE: {"zh": "合并至其他申请", "en": "Merged with another request"},
    Action.REOPEN: {"zh": "重新打开", "en": "Reopened"},
    Action.SCREEN_DUPLICATE: {
        "zh": "与同一稿件的其他申请合并处理",
        "en": "Joined with a request about the same passage",
    },
    Action.NOTE: {"zh": "内部备注", "en": "Internal note"},
    Action.ESCALATE: {"zh": "超期提醒", "en": "Overdue: escalated"},
    Action.MAIL_RECEIVED: {"zh": "收到申请人来信", "en": "Mail from the requester"},
    Action.UNDELIVERABLE: {"zh": "邮件无法送达申请人", "en": "Mail to the requester bounced"},
    Action.CONFIRM_CONTACT: {"zh": "申请人已确认电子邮箱", "en": "The requester confirmed their email address"},
    Action.ERASE: {"zh": "申请人的个人信息已删除", "en": "The requester's personal data was erased"},
}


class TransitionNotAllowed(Exception):
    """An action that the request's current status does not allow; names what is allowed."""

    def __init__(self, action: Action, current: Status) -> None:
        self.action = action
        self.current = current
        self.allowed = allowed_actions(current)
        super().__init__(f"cannot {action.value} a request that is {current.value}")


def allowed_actions(current: Status) -> list[Action]:
    return [action for action, (sources, _) in TRANSITIONS.items() if current in sources]


def next_status(current: Status, action: Action) -> Status:
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise TransitionNotAllowed(action, current)
    return target


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, when, why, and the status before and after."""

    at: str
    action: Action
    actor: str
    status_before: Status | None
    status_after: Status
    detail: str = ""

    @property
    def public(self) -> bool:
        return self.action in PUBLIC_ACTIONS

    def as_dict(self) -> dict[str, Any]:
        """The event in JSON values, as the case view's timeline and a subject's export both show it."""
        return {
            "at": self.at,
            "action": self.action.value,
            "actor": self.actor,
            "status_before": self.status_before.value if self.status_before else None,
            "status_after": self.status_after.value,
            "detail": self.detail,
        }
