"""The editors' review queue: who may do what to a request, and what each decision changes.

Pure: every function takes the request and the time and returns the request after the action with
the audit event that records it (editor, time, status before and after). Storing it, conditionally,
is the adapter's job; emailing and publishing are the services'.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from corrigo.errors import BadQuery, Forbidden
from corrigo.lifecycle import OPEN_STATUSES, Action, AuditEvent, Outcome, Status
from corrigo.model import CorrectionRequest, iso
from corrigo.references import is_reference
from corrigo.urgency import URGENCY_BY_TYPE, is_working_day

EDITORS_GROUP = "editors"
ADMINS_GROUP = "admins"
MAX_TEXT = 5000
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
SPAM_FLAG = "spam"
HONEYPOT_FLAG = "honeypot"

# ---------------------------------------------------------------------------------------------
# Who is asking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Editor:
    """A signed-in editor, as the JWT claims name them. `id` is what assignee and audit events hold."""

    id: str
    groups: frozenset[str] = frozenset()
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return ADMINS_GROUP in self.groups


def parse_groups(value: Any) -> frozenset[str]:
    """`cognito:groups` in any shape it arrives in: a list (a decoded token), or a string as API
    Gateway's HTTP API flattens arrays ("[editors admins]"), or a JSON array in a string."""
    if value is None:
        return frozenset()
    if isinstance(value, (list, tuple)):
        return frozenset(str(item) for item in value if str(item))
    text = str(value).strip()
    if text.startswith("[") and '"' in text:
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list):
            return frozenset(str(item) for item in decoded if str(item))
    return frozenset(part for part in re.split(r"[\s,]+", text.strip("[]")) if part)


def editor_from_claims(claims: Mapping[str, Any] | None) -> Editor:
    """The editor the verified token names; Forbidden unless the token carries the `editors` group.

    API Gateway has already checked the signature, expiry, issuer and audience; membership of the
    group is this service's rule, so the handler checks it too (a token of the same pool for a
    user outside the group passes the authorizer).
    """
    claims = claims or {}
    groups = parse_groups(claims.get("cognito:groups"))
    if EDITORS_GROUP not in groups:
        raise Forbidden("the editors group is required")
    identity = str(
        claims.get("email") or claims.get("cognito:username") or claims.get("username") or claims.get("sub") or ""
    )
    if not identity:
        raise Forbidden("the token names nobody")
    return Editor(id=identity, groups=groups, name=str(claims.get("name") or identity))


# ---------------------------------------------------------------------------------------------
# Working time: the deadline clock
# ---------------------------------------------------------------------------------------------


def _day_start(day: date, like: datetime) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=like.tzinfo)


def working_time_between(start: datetime, end: datetime, holidays: frozenset[date] = frozenset()) -> timedelta:
    """How much of [start, end) fell on working days: what a pause cost the deadline clock."""
    total = timedelta()
    moment = start
    while moment < end:
        next_day = _day_start(moment.date() + timedelta(days=1), moment)
        stop = min(next_day, end)
        if is_working_day(moment.date(), holidays):
            total += stop - moment
        moment = stop
    return total


def add_working_time(start: datetime, amount: timedelta, holidays: frozenset[date] = frozenset()) -> datetime:
    """``start`` moved on by ``amount`` of working time, skipping weekends and holidays."""
    moment, remaining = start, amount
    while remaining > timedelta():
        if not is_working_day(moment.date(), holidays):
            moment = _day_start(moment.date() + timedelta(days=1), moment)
            continue
        next_day = _day_start(moment.date() + timedelta(days=1), moment)
        step = min(next_day - moment, remaining)
        moment += step
        remaining -= step
    return moment


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------------------------
# Deadlines: overdue and escalation
# ---------------------------------------------------------------------------------------------

FIRST_RESPONSE = "first_response"
DECISION = "decision"


@dataclass(frozen=True)
class Breach:
    """A deadline passed. Its key names the deadline and its due time, so a due date moved by an
    answer is a new breach (escalated again), while the same breach is escalated once."""

    kind: str
    due: str

    @property
    def key(self) -> str:
        return f"{self.kind}@{self.due}"


def breaches(request: CorrectionRequest, now: datetime) -> list[Breach]:
    """Deadlines this request has missed. The clock is paused while the requester is asked, and
    a request out of the queue (resolved, quarantined, incomplete) has no deadline running."""
    found: list[Breach] = []
    if request.status not in (Status.QUEUED, Status.IN_REVIEW):
        return found
    stamp = iso(now)
    if (
        request.status is Status.QUEUED
        and request.first_response_at is None
        and request.first_response_due
        and request.first_response_due < stamp
    ):
        found.append(Breach(FIRST_RESPONSE, request.first_response_due))
    if request.decision_due and request.decision_due < stamp:
        found.append(Breach(DECISION, request.decision_due))
    return found


def is_overdue(request: CorrectionRequest, now: datetime) -> bool:
    return bool(breaches(request, now))


def to_escalate(request: CorrectionRequest, now: datetime) -> list[Breach]:
    """Breaches not escalated yet: the sweep emails editors about these, and only these."""
    return [b for b in breaches(request, now) if b.key not in request.escalated]


def mark_escalated(
    request: CorrectionRequest, found: Sequence[Breach], now: datetime
) -> tuple[CorrectionRequest, AuditEvent]:
    """The request with its breaches recorded, and the audit event of the escalation."""
    keys = tuple(b.key for b in found)
    after = replace(
        request, overdue=tuple(sorted({*request.overdue, *keys})), escalated=tuple(sorted({*request.escalated, *keys}))
    )
    event = AuditEvent(
        at=iso(now),
        action=Action.ESCALATE,
        actor="deadline-sweep",
        status_before=request.status,
        status_after=request.status,
        detail=", ".join(keys),
    )
    return after, event


# ---------------------------------------------------------------------------------------------
# The queue: filters and cursors
# ---------------------------------------------------------------------------------------------

# What the queue shows unless asked: work that is waiting for an editor or the requester.
# `quarantined` (suspected spam or abuse) only when asked for, so it never crowds the queue.
DEFAULT_STATUSES: tuple[Status, ...] = OPEN_STATUSES
LISTABLE_STATUSES: tuple[Status, ...] = (
    *OPEN_STATUSES,
    Status.QUARANTINED,
    Status.INCOMPLETE,
    Status.RESOLVED,
    Status.RECEIVED,
)


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[Status, ...] = DEFAULT_STATUSES
    request_type: str | None = None
    urgency: int | None = None
    overdue: bool | None = None
    mine: bool = False
    q: str = ""
    limit: int = DEFAULT_PAGE_SIZE
    # Requests screening judged certain spam stay out of every view unless asked for.
    include_spam: bool = False


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise BadQuery(name, "must be true or false")


def queue_filter(
    *,
    status: str | None = None,
    request_type: str | None = None,
    urgency: str | int | None = None,
    overdue: str | bool | None = None,
    mine: str | bool | None = None,
    q: str | None = None,
    limit: str | int | None = None,
    include_spam: str | bool | None = None,
) -> QueueFilter:
    """The filter the query string asks for; BadQuery names the first parameter it cannot read."""
    statuses = DEFAULT_STATUSES
    if status:
        names = [part.strip() for part in status.split(",") if part.strip()]
        try:
            statuses = tuple(dict.fromkeys(Status(name) for name in names))
        except ValueError as exc:
            raise BadQuery("status", f"one or more of {', '.join(s.value for s in LISTABLE_STATUSES)}") from exc
    if request_type and request_type not in URGENCY_BY_TYPE:
        raise BadQuery("type", f"one of {', '.join(URGENCY_BY_TYPE)}")
    level: int | None = None
    if urgency not in (None, ""):
        try:
            level = int(str(urgency))
        except ValueError:
            level = 0
        if level not in (1, 2, 3):
            raise BadQuery("urgency", "1 (urgent), 2 (high) or 3 (normal)")
    size = DEFAULT_PAGE_SIZE
    if limit not in (None, ""):
        try:
            size = int(str(limit))
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise BadQuery("limit", f"a number from 1 to {MAX_PAGE_SIZE}")
    overdue_flag = (
        None if overdue in (None, "") else (overdue if isinstance(overdue, bool) else _flag("overdue", str(overdue)))
    )
    mine_flag = bool(mine) if isinstance(mine, bool) else _flag("mine", mine or "")
    spam_flag = include_spam if isinstance(include_spam, bool) else _flag("include_spam", include_spam or "")
    return QueueFilter(
        statuses=statuses,
        request_type=request_type or None,
        urgency=level,
        overdue=overdue_flag,
        mine=mine_flag,
        q=(q or "").strip()[:200],
        limit=size,
        include_spam=spam_flag,
    )


SEARCHED_FIELDS = ("article_title", "article_url", "requester_name", "requester_email", "requester_organization")


def matches(request: CorrectionRequest, flt: QueueFilter, *, editor_id: str, now: datetime) -> bool:
    """Whether a request belongs on the filtered page. Status and urgency are also the index's key
    (the adapter narrows the query with them); the rest is decided here, in one place."""
    if request.status not in flt.statuses:
        return False
    if is_spam(request) and not flt.include_spam:
        return False
    if flt.urgency is not None and request.urgency != flt.urgency:
        return False
    if flt.request_type and request.request_type != flt.request_type:
        return False
    if flt.mine and request.assignee != editor_id:
        return False
    if flt.overdue is not None and is_overdue(request, now) != flt.overdue:
        return False
    if flt.q:
        needle = flt.q.casefold()
        haystack = [str(request.fields.get(name, "")) for name in SEARCHED_FIELDS]
        if needle != request.reference.casefold() and not any(needle in text.casefold() for text in haystack):
            return False
    return True


@dataclass(frozen=True)
class QueueCursor:
    """Where the next page starts, per status partition of the index: after the `queue_order` of
    the last item shown from it (None: from the start), and which partitions are used up."""

    after: dict[str, str | None] = field(default_factory=dict)
    done: frozenset[str] = frozenset()


def encode_cursor(cursor: QueueCursor) -> str:
    payload = {"v": 1, "a": cursor.after, "d": sorted(cursor.done)}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


_ORDER = re.compile(r"^[1-3]#[0-9TZ:.\-]*#CR-\d{4}-[A-Z0-9]{6}$")


def decode_cursor(text: str | None) -> QueueCursor:
    """A cursor the client handed back. Anything but what encode_cursor wrote is BadQuery: it is
    turned into a DynamoDB start key, so only well-formed queue positions get through."""
    if not text:
        return QueueCursor()
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadQuery("cursor", "not a cursor this service wrote") from exc
    if (
        not isinstance(payload, dict)
        or payload.get("v") != 1
        or not isinstance(payload.get("a"), dict)
        or not isinstance(payload.get("d"), list)
    ):
        raise BadQuery("cursor", "not a cursor this service wrote")
    statuses = {s.value for s in Status}
    after: dict[str, str | None] = {}
    for status, position in payload["a"].items():
        if status not in statuses or not (position is None or (isinstance(position, str) and _ORDER.match(position))):
            raise BadQuery("cursor", "not a cursor this service wrote")
        after[status] = position
    done = payload["d"]
    if not all(isinstance(s, str) and s in statuses for s in done):
        raise BadQuery("cursor", "not a cursor this service wrote")
    return QueueCursor(after, frozenset(done))


@dataclass(frozen=True)
class PartitionPage:
    """What the adapter found in one status partition: matching items in index order (each with its
    `queue_order`), and whether the partition has nothing after them."""

    status: str
    items: list[tuple[str, CorrectionRequest]]
    exhausted: bool


def merge_pages(
    pages: Sequence[PartitionPage], limit: int, previous: QueueCursor
) -> tuple[list[CorrectionRequest], str | None]:
    """One page across status partitions, in queue order (most urgent, then earliest due), and the
    cursor for the next. Each partition resumes after the last item it contributed, so an item is
    never skipped nor shown twice however the partitions interleave."""
    merged = sorted(
        ((order, page.status, request) for page in pages for order, request in page.items), key=lambda entry: entry[0]
    )
    shown = merged[:limit]
    after = dict(previous.after)
    done = set(previous.done)
    for order, status, _ in shown:
        after[status] = order
    for page in pages:
        contributed = sum(1 for _, status, _ in shown if status == page.status)
        if page.exhausted and contributed == len(page.items):
            done.add(page.status)
    listed = {page.status for page in pages}
    if listed <= done:
        return [request for _, _, request in shown], None
    return [request for _, _, request in shown], encode_cursor(QueueCursor(after, frozenset(done)))


def queue_position(urgency: int, first_response_due: str, reference: str) -> str:
    """The index's sort key, as adapters.requests_table.queue_order writes it."""
    return f"{urgency}#{first_response_due}#{reference}"


def reference_of_position(position: str) -> str:
    return position.rsplit("#", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------


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


def is_spam(request: CorrectionRequest) -> bool:
    """Flagged certain spam by screening and not released by an editor: hidden unless asked for."""
    return SPAM_FLAG in request.flags


def was_acknowledged(request: CorrectionRequest) -> bool:
    """Whether screening acknowledged it: everyone but a bot (honeypot or certain spam)."""
    judged_spam = bool(request.screening and request.screening.get("verdict") == "spam")
    return HONEYPOT_FLAG not in request.flags and not is_spam(request) and not judged_spam


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
