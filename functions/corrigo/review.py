"""The editors' decisions: who may do what to a request, and what each decision changes.

Pure: every function takes the request and the time and returns the request after the action with
the audit event that records it (editor, time, status before and after). Storing it, conditionally,
is the adapter's job; emailing and publishing are the services'. Who the editor is comes from the
edge (handlers/editor_request.py reads the token's claims); which requests a view shows is
corrigo.review_queue; which deadlines are missed, corrigo.deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from corrigo.errors import BadQuery, Forbidden
from corrigo.lifecycle import Action, AuditEvent, Outcome, Status
from corrigo.model import CorrectionRequest, iso
from corrigo.references import is_reference
from corrigo.spam import SPAM_FLAG
from corrigo.workdays import add_working_time, parse_time, working_time_between

EDITORS_GROUP = "editors"
ADMINS_GROUP = "admins"
MAX_TEXT = 5000


@dataclass(frozen=True)
class Editor:
    """A signed-in editor. `id` is what assignee and audit events hold."""

    id: str
    groups: frozenset[str] = frozenset()
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return ADMINS_GROUP in self.groups


def _text(name: str, value: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise BadQuery(name, "must not be empty")
    if len(text) > MAX_TEXT:
        raise BadQuery(name, f"at most {MAX_TEXT} characters")
    return text


def _must_hold(request: CorrectionRequest, editor: Editor) -> None:
    """Only the editor who holds a request acts on it (an admin may step in)."""
    if request.assignee not in (None, editor.id) and not editor.is_admin:
        raise Forbidden(f"{request.reference} is held by another editor")


def claim(request: CorrectionRequest, editor: Editor, now: datetime) -> tuple[CorrectionRequest, AuditEvent]:
    """queued → in_review, held by ``editor``. The adapter writes it only if nobody else moved the
    request since it was read, so of two editors claiming at once exactly one wins."""
    first = request.first_response_at or iso(now)
    return request.move(Action.CLAIM, actor=editor.id, at=now, assignee=editor.id, first_response_at=first)


def release(request: CorrectionRequest, editor: Editor, now: datetime) -> tuple[CorrectionRequest, AuditEvent]:
    if request.status is Status.IN_REVIEW:
        _must_hold(request, editor)
    return request.move(Action.RELEASE, actor=editor.id, at=now, assignee=None)


def ask(
    request: CorrectionRequest, editor: Editor, message: str, now: datetime
) -> tuple[CorrectionRequest, AuditEvent]:
    """in_review → awaiting_requester; the deadline clock stops at ``now`` until the answer."""
    text = _text("message", message)
    if request.status is Status.IN_REVIEW:
        _must_hold(request, editor)
    return request.move(Action.ASK, actor=editor.id, at=now, detail=text, paused_at=iso(now))


def answer(
    request: CorrectionRequest, text: str, channel: str, now: datetime, holidays: frozenset[date] = frozenset()
) -> tuple[CorrectionRequest, AuditEvent]:
    """awaiting_requester → in_review. Both deadlines move on by the working time the question
    kept the clock paused, so waiting for the requester never counts against the newsroom."""
    body = _text("text", text)
    changes: dict[str, Any] = {"paused_at": None}
    if request.status is Status.AWAITING_REQUESTER and request.paused_at:
        paused = working_time_between(parse_time(request.paused_at), now, holidays)
        for name in ("first_response_due", "decision_due"):
            due = getattr(request, name)
            if due:
                changes[name] = iso(add_working_time(parse_time(due), paused, holidays))
        changes["overdue"] = ()
    return request.move(Action.ANSWER, actor=f"requester:{channel}", at=now, detail=body, **changes)


RESOLVABLE_OUTCOMES = tuple(o for o in Outcome if o is not Outcome.MERGED)


def resolve(
    request: CorrectionRequest, editor: Editor, outcome: str, reply: str, public_note: str, now: datetime
) -> tuple[CorrectionRequest, AuditEvent]:
    """in_review → resolved with an outcome; `merged` goes through merge(), which names the other request."""
    try:
        chosen = Outcome(outcome)
    except ValueError as exc:
        raise BadQuery("outcome", f"one of {', '.join(o.value for o in RESOLVABLE_OUTCOMES)}") from exc
    if chosen is Outcome.MERGED:
        raise BadQuery("outcome", "use merge to merge a request into another")
    _text("reply", reply)
    note = _text("public_note", public_note, required=False)
    if request.status is Status.IN_REVIEW:
        _must_hold(request, editor)
    return request.move(
        Action.RESOLVE,
        actor=editor.id,
        at=now,
        detail=chosen.value,
        outcome=chosen.value,
        public_note=note or None,
        paused_at=None,
        overdue=(),
    )


def merge(
    request: CorrectionRequest, into: CorrectionRequest, editor: Editor, now: datetime
) -> tuple[CorrectionRequest, AuditEvent]:
    """A duplicate: resolved as `merged`, naming the request that carries on."""
    if into.reference == request.reference:
        raise BadQuery("into", "a request cannot be merged into itself")
    if into.status is Status.RESOLVED and into.outcome == Outcome.MERGED.value:
        raise BadQuery("into", f"{into.reference} was itself merged into {into.merged_into}; merge into that one")
    if request.status in (Status.IN_REVIEW, Status.AWAITING_REQUESTER):
        _must_hold(request, editor)
    return request.move(
        Action.MERGE,
        actor=editor.id,
        at=now,
        detail=into.reference,
        outcome=Outcome.MERGED.value,
        merged_into=into.reference,
        paused_at=None,
        overdue=(),
    )


def release_quarantine(
    request: CorrectionRequest, editor: Editor, now: datetime, reason: str = ""
) -> tuple[CorrectionRequest, AuditEvent]:
    """quarantined → queued: the editor finds it genuine. It loses the `spam` flag (so the default
    views show it); the screening report stays for the record."""
    return request.move(
        Action.RELEASE_QUARANTINE,
        actor=editor.id,
        at=now,
        detail=_text("reason", reason, required=False),
        flags=tuple(f for f in request.flags if f != SPAM_FLAG),
        assignee=None,
    )


def confirm_quarantine(
    request: CorrectionRequest, editor: Editor, now: datetime, reason: str = ""
) -> tuple[CorrectionRequest, AuditEvent]:
    """quarantined → resolved as `rejected`: the editor agrees with screening."""
    return request.move(
        Action.CONFIRM_QUARANTINE,
        actor=editor.id,
        at=now,
        detail=_text("reason", reason, required=False) or Outcome.REJECTED.value,
        outcome=Outcome.REJECTED.value,
        assignee=None,
        paused_at=None,
        overdue=(),
    )


def reopen(
    request: CorrectionRequest, editor: Editor, now: datetime, reason: str = ""
) -> tuple[CorrectionRequest, AuditEvent]:
    """resolved or quarantined → queued, unheld, with no outcome: a decision taken back."""
    return request.move(
        Action.REOPEN,
        actor=editor.id,
        at=now,
        detail=_text("reason", reason, required=False),
        assignee=None,
        outcome=None,
        public_note=None,
        merged_into=None,
    )


@dataclass(frozen=True)
class Note:
    reference: str
    at: str
    author: str
    text: str


def note(request: CorrectionRequest, editor: Editor, text: str, now: datetime) -> tuple[Note, AuditEvent]:
    """An internal note: the requester never sees it (Action.NOTE is not a public action)."""
    body = _text("text", text)
    event = AuditEvent(
        at=iso(now),
        action=Action.NOTE,
        actor=editor.id,
        status_before=request.status,
        status_after=request.status,
        detail="",
    )
    return Note(request.reference, iso(now), editor.id, body), event


def check_reference(reference: str) -> str:
    if not is_reference(reference):
        raise BadQuery("reference", "not a reference like CR-2025-ABC234")
    return reference
