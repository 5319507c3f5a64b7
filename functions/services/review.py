"""The editors' use cases: the queue, the case file, and each decision with what it sets off.

Each decision is read → corrigo.review rule → conditional write (with its audit event) → side
effects. The side effects are safe to repeat: emails go through the idempotent Notifier, and a
decision retried after a failed side effect (the request already resolved the same way) repeats
only the side effects instead of answering 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.events import EventBus
from adapters.queues import Queue
from adapters.requests_table import RequestsTable
from corrigo import review
from corrigo.errors import ConcurrentChange, NotFound
from corrigo.lifecycle import OUTCOME_LABELS, STATUS_LABELS, AuditEvent, Outcome, Status
from corrigo.model import CorrectionRequest, iso, utc_now
from corrigo.references import is_reference, token_matches
from corrigo.review import (
    DECISION,
    Breach,
    Editor,
    Note,
    QueueFilter,
    check_reference,
    decode_cursor,
    is_overdue,
    mark_escalated,
    to_escalate,
)
from corrigo.urgency import URGENCY_LABELS
from observability import logger
from services.duplicates import linked_requesters, tell_linked_requesters
from services.notify import Notifier
from web.render import render_email

Clock = Callable[[], datetime]
BREACH_LABELS = {review.FIRST_RESPONSE: "首次响应 first response", DECISION: "作出决定 decision"}


@dataclass(frozen=True)
class ReviewSettings:
    public_base_url: str
    editor_addresses: tuple[str, ...]
    holidays: frozenset[Any] = frozenset()


def summary(request: CorrectionRequest, now: datetime, language: str = "zh") -> dict[str, Any]:
    """One row of the queue: enough to choose what to open next, nothing the list does not show."""
    return {
        "reference": request.reference,
        "status": request.status.value,
        "status_label": STATUS_LABELS[request.status][language],
        "request_type": request.request_type,
        "urgency": request.urgency,
        "urgency_label": URGENCY_LABELS.get(request.urgency, URGENCY_LABELS[3])[language],
        "overdue": is_overdue(request, now),
        "article_title": request.fields.get("article_title", ""),
        "article_url": request.fields.get("article_url", ""),
        "requester_name": request.fields.get("requester_name", ""),
        "created_at": request.created_at,
        "first_response_due": request.first_response_due,
        "decision_due": request.decision_due,
        "assignee": request.assignee,
        "outcome": request.outcome,
        "spam": review.is_spam(request),
        # Why screening held it (rules fired, scores, verdict): what the quarantine view shows.
        "screening": screening_report(request),
    }


def screening_report(request: CorrectionRequest) -> dict[str, Any] | None:
    report = request.screening
    if not report:
        return None
    return {
        "verdict": report.get("verdict"),
        "score": report.get("score"),
        "findings": [
            {k: finding.get(k) for k in ("rule", "score", "zh", "en")}
            for finding in report.get("findings", [])
            if isinstance(finding, dict)
        ],
    }


def case_document(
    request: CorrectionRequest,
    events: list[AuditEvent],
    notes: list[Note],
    others: list[dict[str, Any]],
    now: datetime,
    linked: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything an editor reads to decide: every field, the whole audit trail, the notes."""
    return {
        **summary(request, now),
        "fields": request.fields,
        "language": request.language,
        "channel": request.channel,
        "updated_at": request.updated_at,
        "version": request.version,
        "public_note": request.public_note,
        "merged_into": request.merged_into,
        "paused_at": request.paused_at,
        "flags": list(request.flags),
        "escalated": list(request.escalated),
        "allowed_actions": [a.value for a in review_allowed(request)],
        "history": [
            {
                "at": e.at,
                "action": e.action.value,
                "actor": e.actor,
                "status_before": e.status_before.value if e.status_before else None,
                "status_after": e.status_after.value,
                "detail": e.detail,
            }
            for e in events
        ],
        "notes": [{"at": n.at, "author": n.author, "text": n.text} for n in notes],
        "same_article": others,
        # Requesters whose duplicates screening merged into this one: each is told its outcome.
        "linked_requesters": linked or [],
        "attachments": [],
    }


def review_allowed(request: CorrectionRequest) -> list[Any]:
    from corrigo.lifecycle import allowed_actions

    return allowed_actions(request.status)


class ReviewService:
    def __init__(
        self,
        settings: ReviewSettings,
        table: RequestsTable,
        notifier: Notifier,
        bus: EventBus | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.table = table
        self.notifier = notifier
        self.bus = bus
        self.clock = clock

    # ---- reading ---------------------------------------------------------------------------

    def queue(self, flt: QueueFilter, cursor: str | None, editor: Editor) -> dict[str, Any]:
        now = self.clock()
        items, next_cursor = self.table.list_queue(flt, decode_cursor(cursor), editor_id=editor.id, now=now)
        return {"items": [summary(r, now) for r in items], "next_cursor": next_cursor}

    def counts(self) -> dict[str, int]:
        return self.table.count_by_status(review.LISTABLE_STATUSES[:-1])

    def case(self, reference: str) -> dict[str, Any]:
        request, events, notes = self.table.get_case(check_reference(reference))
        if request is None:
            raise NotFound(reference)
        return case_document(
            request,
            events,
            notes,
            self.table.same_article(request),
            self.clock(),
            linked_requesters(self.table, request.reference),
        )

    def reply_template(self, reference: str, outcome: str, language: str | None = None) -> dict[str, str]:
        """The suggested reply for an outcome, in the requester's language unless asked otherwise."""
        request = self._get(reference)
        chosen = Outcome(outcome) if outcome in {o.value for o in Outcome} else None
        if chosen is None:
            from corrigo.errors import BadQuery

            raise BadQuery("outcome", f"one of {', '.join(o.value for o in Outcome)}")
        lang = language if language in ("zh", "en") else request.language
        text = render_email(
            f"replies/{chosen.value}.{lang}.txt", request=request, into=request.merged_into or ""
        ).strip()
        return {"outcome": chosen.value, "language": lang, "text": text}

    # ---- decisions -------------------------------------------------------------------------

    def claim(self, reference: str, editor: Editor) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.claim(before, editor, self.clock())
        self.table.claim(before, after, event)
        return self._answer(after, event)

    def release(self, reference: str, editor: Editor) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.release(before, editor, self.clock())
        self.table.save_move(before, after, event)
        return self._answer(after, event)

    def note(self, reference: str, editor: Editor, text: str) -> dict[str, Any]:
        request = self._get(reference)
        added, event = review.note(request, editor, text, self.clock())
        self.table.add_note(added, event)
        return {
            "reference": reference,
            "note": {"at": added.at, "author": added.author, "text": added.text},
            "status": request.status.value,
        }

    def ask(self, reference: str, editor: Editor, message: str) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.ask(before, editor, message, self.clock())
        self.table.save_move(before, after, event)
        self.notifier.notify(after, "question", occasion=event.at, message=event.detail)
        return self._answer(after, event)

    def resolve(self, reference: str, editor: Editor, outcome: str, reply: str, public_note: str) -> dict[str, Any]:
        before = self._get(reference)
        if before.status is Status.RESOLVED and before.outcome == outcome and before.assignee == editor.id:
            # A retry after a failed email or event: the decision stands; finish what it sets off.
            self._announce(before, reply, before.updated_at)
            tell_linked_requesters(self.table, self.notifier, before, reply, before.updated_at)
            return {"reference": reference, "status": before.status.value, "version": before.version, "repeated": True}
        after, event = review.resolve(before, editor, outcome, reply, public_note, self.clock())
        self.table.save_move(before, after, event)
        self._announce(after, reply.strip(), event.at)
        # Then every requester screening linked to it, once each (idempotent like every email).
        tell_linked_requesters(self.table, self.notifier, after, reply.strip(), event.at)
        return self._answer(after, event)

    def merge(self, reference: str, editor: Editor, into: str) -> dict[str, Any]:
        before = self._get(reference)
        target = self._get(check_reference(into))
        after, event = review.merge(before, target, editor, self.clock())
        self.table.save_move(before, after, event)
        reply = render_email(f"replies/merged.{after.language}.txt", request=after, into=target.reference).strip()
        self._announce(after, reply, event.at)
        return self._answer(after, event)

    def reopen(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.reopen(before, editor, self.clock(), reason)
        self.table.save_move(before, after, event)
        return self._answer(after, event)

    # ---- quarantine (issue 5): an editor releases or confirms what screening held -------------

    def release_quarantine(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        """quarantined → queued; the requester acknowledged now if screening never did (a bot verdict)."""
        before = self._get(reference)
        after, event = review.release_quarantine(before, editor, self.clock(), reason)
        self.table.save_move(before, after, event)
        if not review.was_acknowledged(before):
            # The same idempotency key as the intake worker's acknowledgement: never a second one.
            self.notifier.notify(after, "acknowledgement")
        return self._answer(after, event)

    def confirm_quarantine(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        """quarantined → resolved as `rejected`. A suspect (acknowledged) requester is told the
        outcome; a spam sender or a bot gets nothing. No CMS event: no editorial decision on the article."""
        before = self._get(reference)
        after, event = review.confirm_quarantine(before, editor, self.clock(), reason)
        self.table.save_move(before, after, event)
        if review.was_acknowledged(before):
            reply = render_email(f"replies/rejected.{after.language}.txt", request=after, into="").strip()
            self.notifier.notify(
                after,
                "outcome",
                occasion=f"{Outcome.REJECTED.value}@{event.at}",
                reply=reply,
                outcome_label=OUTCOME_LABELS[Outcome.REJECTED][after.language],
            )
            tell_linked_requesters(self.table, self.notifier, after, reply, event.at)
        return self._answer(after, event)

    def _announce(self, request: CorrectionRequest, reply: str, at: str) -> None:
        """The requester's email first (idempotent), then the CMS event, so a retry never emails twice."""
        outcome = Outcome(str(request.outcome))
        self.notifier.notify(
            request,
            "outcome",
            occasion=f"{outcome.value}@{at}",
            reply=reply,
            outcome_label=OUTCOME_LABELS[outcome][request.language],
        )
        if self.bus is not None:
            self.bus.publish_resolved(
                reference=request.reference,
                article_url=str(request.fields.get("article_url", "")),
                outcome=outcome.value,
                public_note=request.public_note,
                resolved_at=at,
            )

    def _get(self, reference: str) -> CorrectionRequest:
        request = self.table.get(check_reference(reference))
        if request is None:
            raise NotFound(reference)
        return request

    @staticmethod
    def _answer(request: CorrectionRequest, event: AuditEvent) -> dict[str, Any]:
        return {
            "reference": request.reference,
            "status": request.status.value,
            "assignee": request.assignee,
            "outcome": request.outcome,
            "version": request.version,
            "event": {
                "at": event.at,
                "action": event.action.value,
                "actor": event.actor,
                "status_before": event.status_before.value if event.status_before else None,
                "status_after": event.status_after.value,
            },
        }

    # ---- the requester's answer (status page form, or email intake) ---------------------------

    def answer(
        self, reference: str, text: str, channel: str, token: str | None = None, *, check_token: bool = True
    ) -> CorrectionRequest:
        """The requester answers the editor's question: back to `in_review`, deadlines moved on by the
        pause, and the editor who holds it told by email. Email intake calls this with
        ``check_token=False`` (the mail matched the reference and the requester's address itself).
        Raises NotFound (unknown reference or wrong token) or TransitionNotAllowed (nothing was asked)."""
        if not is_reference(reference):
            raise NotFound(reference)
        before = self.table.get(reference)
        if before is None or (check_token and not token_matches(token, before.status_token)):
            raise NotFound(reference)
        after, event = review.answer(before, text, channel, self.clock(), self.settings.holidays)
        self.table.save_move(before, after, event)
        recipients = (
            [after.assignee] if after.assignee and "@" in after.assignee else list(self.settings.editor_addresses)
        )
        for address in recipients:
            self.notifier.notify(
                after,
                "answer_received",
                occasion=f"{event.at}:{address}",
                to=address,
                auto_submitted="auto-generated",
                answer=event.detail,
                channel=channel,
                editor_url=self._editor_url(after),
            )
        return after

    def _editor_url(self, request: CorrectionRequest) -> str:
        return f"{self.settings.public_base_url}/editor/#{request.reference}"

    # ---- the deadline sweep ------------------------------------------------------------------

    def sweep(
        self, intake_queue: Queue | None = None, stale_after: timedelta = timedelta(minutes=10)
    ) -> dict[str, int]:
        """Mark overdue requests and email editors once per breach; re-queue requests whose intake
        message was lost (stored, never screened)."""
        now = self.clock()
        escalated = 0
        for request in self.table.open_requests((Status.QUEUED, Status.IN_REVIEW)):
            found = to_escalate(request, now)
            if not found:
                continue
            after, event = mark_escalated(request, found, now)
            try:
                self.table.record_escalation(request, after, event)
            except ConcurrentChange:
                continue  # an editor moved it meanwhile: the next sweep looks again
            for breach in found:
                self._escalate(after, breach)
            escalated += 1
        requeued = 0
        if intake_queue is not None:
            for reference in self.table.stale_received(iso(now - stale_after)):
                intake_queue.send({"reference": reference})
                requeued += 1
        logger.info("deadline sweep", extra={"escalated": escalated, "requeued": requeued})
        return {"escalated": escalated, "requeued": requeued}

    def _escalate(self, request: CorrectionRequest, breach: Breach) -> None:
        recipients = list(self.settings.editor_addresses)
        if request.assignee and "@" in request.assignee and request.assignee not in recipients:
            recipients.append(request.assignee)
        for address in recipients:
            # Same occasion, same email: the Notifier's idempotency is the second guard of "once".
            self.notifier.notify(
                request,
                "escalation",
                occasion=f"{breach.key}:{address}",
                to=address,
                auto_submitted="auto-generated",
                breach_label=BREACH_LABELS[breach.kind],
                due=breach.due,
                editor_url=self._editor_url(request),
            )
