"""Where a comment may go, and the audit event each move leaves (actor, reason, time).

    submit ──▶ pending ──approve──▶ approved ──report──▶ reported ──approve──▶ approved
       │          │                    ▲                   │ (hidden once ``threshold`` distinct
       │          └──reject──▶ rejected ◀──reject──────────┘  readers reported it)
       └─ screening's reject ─▶ rejected ──appeal (once)──▶ appealed ──approve / reject

Approve and reject apply to pending, reported and appealed comments, and reject also to an approved
one (a moderator takes it down). A report applies to what readers can see; a second report from
the same reader is not counted (the repository keeps one report item per reader). Pure.
"""

from __future__ import annotations

from dataclasses import replace

from corrigo.comments.errors import ActionNotAllowed
from corrigo.comments.model import Comment, CommentEvent, CommentStatus, ReasonCode

S = CommentStatus
APPROVABLE = frozenset({S.PENDING, S.REPORTED, S.APPEALED})
REJECTABLE = frozenset({S.PENDING, S.REPORTED, S.APPEALED, S.APPROVED})
REPORTABLE = frozenset({S.APPROVED, S.REPORTED})
SYSTEM = "system:screening"


def _moved(comment: Comment, now: str, **changes: object) -> Comment:
    return replace(comment, updated_at=now, version=comment.version + 1, **changes)  # type: ignore[arg-type]


def _event(
    before: Comment | None, after: Comment, action: str, actor: str, reason: str = "", **detail: object
) -> CommentEvent:
    return CommentEvent(
        comment_id=after.id,
        at=after.updated_at,
        action=action,
        actor=actor,
        status_before=before.status.value if before else None,
        status_after=after.status.value,
        reason=reason,
        detail=dict(detail),
    )


def submitted(comment: Comment, actor: str) -> CommentEvent:
    """The first event of a comment (pending, or rejected by screening at once)."""
    reason = comment.reason_code or ""
    return _event(None, comment, "submit", actor if comment.status is S.PENDING else SYSTEM, reason)


def approve(comment: Comment, actor: str, now: str, note: str = "") -> tuple[Comment, CommentEvent]:
    if comment.status not in APPROVABLE:
        raise ActionNotAllowed("approve", comment.status.value)
    after = _moved(
        comment,
        now,
        status=S.APPROVED,
        reason_code=None,
        reason_note=None,
        report_count=0,
        hidden=False,
        decided_at=now,
        decided_by=actor,
    )
    return after, _event(comment, after, "approve", actor, note)


def reject(
    comment: Comment, actor: str, reason_code: ReasonCode, now: str, note: str = ""
) -> tuple[Comment, CommentEvent]:
    if comment.status not in REJECTABLE:
        raise ActionNotAllowed("reject", comment.status.value)
    after = _moved(
        comment,
        now,
        status=S.REJECTED,
        reason_code=reason_code.value,
        reason_note=note or None,
        hidden=False,
        decided_at=now,
        decided_by=actor,
    )
    return after, _event(comment, after, "reject", actor, reason_code.value, note=note)


def report(comment: Comment, reader: str, reason: str, threshold: int, now: str) -> tuple[Comment, CommentEvent] | None:
    """A distinct reader's report: back to review, hidden from ``threshold`` reports; None when the
    comment is not one readers can see (nothing to do, and nothing said about it)."""
    if comment.status not in REPORTABLE:
        return None
    count = comment.report_count + 1
    after = _moved(comment, now, status=S.REPORTED, report_count=count, hidden=count >= threshold)
    return after, _event(comment, after, "report", f"reader:{reader}", reason, reports=count, hidden=after.hidden)


def appeal(comment: Comment, text: str, now: str) -> tuple[Comment, CommentEvent]:
    if comment.status is not S.REJECTED or comment.appealed_at:
        raise ActionNotAllowed("appeal", comment.status.value)
    after = _moved(comment, now, status=S.APPEALED, appeal_text=text, appealed_at=now)
    return after, _event(comment, after, "appeal", f"commenter:{comment.commenter}", text[:500])
