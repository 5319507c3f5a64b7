"""The editors' use cases: the queue, the case file, and each decision with what it sets off.

Each decision is read → corrigo.review rule → one conditional write: the change, its audit event
and the outbox messages it promises (emails, the CMS event), together or not at all. The outbox
consumer delivers them; an editor's answer never waits on SES or EventBridge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from corrigo import review
from corrigo.deadlines import DECISION, FIRST_RESPONSE, Breach, mark_escalated, to_escalate
from corrigo.errors import BadQuery, ConcurrentChange, NotFound
from corrigo.lifecycle import AuditEvent, Outcome, Status
from corrigo.model import CorrectionRequest, iso
from corrigo.outbox import OutboxMessage
from corrigo.references import is_reference, token_matches
from corrigo.review import Editor, check_reference
from corrigo.review_queue import LISTABLE_STATUSES, QueueCursor, QueueFilter, matches, queue_position
from corrigo.search_tokens import search_tokens
from corrigo.spam import is_bot
from observability import logger
from services.duplicates import linked_requesters, outcomes_for_linked
from services.ports import Clock, DuplicateLinks, IntakeQueue, NewId, ReplyTemplates, Requests, SearchIndex
from services.promises import Promises
from services.replies import reply_text
from services.review_documents import case_document, summary

# The cursor's one entry for a page of search results: the queue position of the last one shown.
SEARCH_PAGE = "search"

BREACH_LABELS = {FIRST_RESPONSE: "首次响应 first response", DECISION: "作出决定 decision"}


@dataclass(frozen=True)
class ReviewSettings:
    public_base_url: str
    editor_addresses: tuple[str, ...]
    holidays: frozenset[Any] = frozenset()


class ReviewService:
    def __init__(
        self,
        settings: ReviewSettings,
        requests: Requests,
        links: DuplicateLinks,
        new_id: NewId,
        clock: Clock,
        templates: ReplyTemplates | None = None,
        search: SearchIndex | None = None,
    ) -> None:
        self.settings = settings
        self.templates = templates
        self.search = search
        self.requests = requests
        self.links = links
        self.clock = clock
        self.promises = Promises(new_id, clock)

    # ---- reading ---------------------------------------------------------------------------

    def queue(self, flt: QueueFilter, cursor: QueueCursor, editor: Editor) -> dict[str, Any]:
        """One page and the cursor of the next (None after the last); the edge writes it as a token."""
        now = self.clock()
        if flt.q:
            items, next_cursor = self._found(flt, cursor, editor, now)
        else:
            items, next_cursor = self.requests.list_queue(flt, cursor, editor_id=editor.id, now=now)
        return {"items": [summary(r, now) for r in items], "next_cursor": next_cursor}

    def _found(
        self, flt: QueueFilter, cursor: QueueCursor, editor: Editor, now: datetime
    ) -> tuple[list[CorrectionRequest], QueueCursor | None]:
        """A search: the index's candidates (or the reference asked for), each checked against the
        whole filter as the queue checks it (status, spam, type, …, and the text itself), so a search
        finds only what the same filter would list; in queue order, a page after the cursor's position."""
        reference = flt.q.strip().upper()
        if is_reference(reference):
            candidates = self.requests.get_many([reference])
        else:
            if not search_tokens(flt.q):
                raise BadQuery("q", "at least two characters, or a whole word")
            if self.search is None:
                raise BadQuery("q", "search is not available here")
            hits = self.search.find(flt.q)
            if not hits.complete:
                # Every token is common (in hundreds of requests): matches are dense, so reading the
                # queue in order and checking each finds a page within a few reads.
                return self.requests.list_queue(flt, cursor, editor_id=editor.id, now=now)
            candidates = self.requests.get_many(hits.references)
        found = sorted(
            (queue_position(r.urgency, r.first_response_due, r.reference), r)
            for r in candidates
            if matches(r, flt, editor_id=editor.id, now=now)
        )
        after = cursor.after.get(SEARCH_PAGE)
        rest = [(position, r) for position, r in found if after is None or position > after]
        page = rest[: flt.limit]
        if len(rest) <= flt.limit:
            return [r for _, r in page], None
        return [r for _, r in page], QueueCursor({SEARCH_PAGE: page[-1][0]})

    def counts(self) -> dict[str, int]:
        """Requests per listable status, spam aside (the kept counters: no query per status)."""
        return self.requests.count_by_status(LISTABLE_STATUSES[:-1])

    def case(self, reference: str) -> dict[str, Any]:
        request, events, notes = self.requests.history(check_reference(reference))
        if request is None:
            raise NotFound(reference)
        return case_document(
            request,
            events,
            notes,
            self.requests.same_article(request),
            self.clock(),
            linked_requesters(self.links, request.reference),
        )

    def reply_template(self, reference: str, outcome: str, language: str | None = None) -> dict[str, str]:
        """The suggested reply for an outcome, in the requester's language unless asked otherwise."""
        request = self._get(reference)
        chosen = Outcome(outcome) if outcome in {o.value for o in Outcome} else None
        if chosen is None:
            from corrigo.errors import BadQuery

            raise BadQuery("outcome", f"one of {', '.join(o.value for o in Outcome)}")
        lang = language if language in ("zh", "en") else request.language
        text = reply_text(self.templates, request, chosen.value, lang, request.merged_into or "")
        return {"outcome": chosen.value, "language": lang, "text": text}

    # ---- decisions -------------------------------------------------------------------------

    def claim(self, reference: str, editor: Editor) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.claim(before, editor, self.clock())
        self.requests.claim(before, after, event)
        return self._answer(after, event)

    def release(self, reference: str, editor: Editor) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.release(before, editor, self.clock())
        self.requests.save_move(before, after, event)
        return self._answer(after, event)

    def note(self, reference: str, editor: Editor, text: str) -> dict[str, Any]:
        request = self._get(reference)
        added, event = review.note(request, editor, text, self.clock())
        self.requests.add_note(added, event)
        return {
            "reference": reference,
            "note": {"at": added.at, "author": added.author, "text": added.text},
            "status": request.status.value,
        }

    def ask(self, reference: str, editor: Editor, message: str) -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.ask(before, editor, message, self.clock())
        question = self.promises.email(after, "question", occasion=event.at, message=event.detail)
        self.requests.save_move(before, after, event, outbox=[question])
        return self._answer(after, event)

    def resolve(self, reference: str, editor: Editor, outcome: str, reply: str, public_note: str) -> dict[str, Any]:
        before = self._get(reference)
        if before.status is Status.RESOLVED and before.outcome == outcome and before.assignee == editor.id:
            # A retry (the first answer was lost): the decision and its mail were saved together.
            return {"reference": reference, "status": before.status.value, "version": before.version, "repeated": True}
        after, event = review.resolve(before, editor, outcome, reply, public_note, self.clock())
        self.requests.save_move(before, after, event, outbox=self.decision_messages(after, reply.strip(), event.at))
        return self._answer(after, event)

    def merge(self, reference: str, editor: Editor, into: str) -> dict[str, Any]:
        before = self._get(reference)
        target = self._get(check_reference(into))
        after, event = review.merge(before, target, editor, self.clock())
        reply = reply_text(self.templates, after, "merged", after.language, target.reference)
        self.requests.save_move(before, after, event, outbox=self._announced(after, reply, event.at))
        return self._answer(after, event)

    def reopen(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        before = self._get(reference)
        after, event = review.reopen(before, editor, self.clock(), reason)
        self.requests.save_move(before, after, event)
        return self._answer(after, event)

    # ---- quarantine (issue 5): an editor releases or confirms what screening held -------------

    def release_quarantine(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        """quarantined → queued; the requester acknowledged now if screening never did (a bot verdict)."""
        before = self._get(reference)
        after, event = review.release_quarantine(before, editor, self.clock(), reason)
        # The acknowledgement screening withheld from a bot; anyone else already had it.
        owed = [self.promises.email(after, "acknowledgement")] if is_bot(before) else []
        self.requests.save_move(before, after, event, outbox=owed)
        return self._answer(after, event)

    def confirm_quarantine(self, reference: str, editor: Editor, reason: str = "") -> dict[str, Any]:
        """quarantined → resolved as `rejected`. A suspect (acknowledged) requester is told the
        outcome; a spam sender or a bot gets nothing. No CMS event: no editorial decision on the article."""
        before = self._get(reference)
        after, event = review.confirm_quarantine(before, editor, self.clock(), reason)
        told: list[OutboxMessage] = []
        if not is_bot(before):
            reply = reply_text(self.templates, after, "rejected", after.language)
            told = [
                self.promises.outcome(after, reply, event.at),
                *outcomes_for_linked(self.requests, self.links, self.promises, after, reply, event.at),
            ]
        self.requests.save_move(before, after, event, outbox=told)
        return self._answer(after, event)

    def _announced(self, request: CorrectionRequest, reply: str, at: str) -> list[OutboxMessage]:
        """A decision's promises: the requester's email and the CMS event."""
        return [self.promises.outcome(request, reply, at), self.promises.resolved(request, at)]

    def decision_messages(self, request: CorrectionRequest, reply: str, at: str) -> list[OutboxMessage]:
        """A resolve's promises: the announcement, then every requester screening linked to it."""
        linked = outcomes_for_linked(self.requests, self.links, self.promises, request, reply, at)
        return [*self._announced(request, reply, at), *linked]

    def _get(self, reference: str) -> CorrectionRequest:
        request = self.requests.get(check_reference(reference))
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
        before = self.requests.get(reference)
        if before is None or (check_token and not token_matches(token, before.status_token)):
            raise NotFound(reference)
        after, event = review.answer(before, text, channel, self.clock(), self.settings.holidays)
        recipients = (
            [after.assignee] if after.assignee and "@" in after.assignee else list(self.settings.editor_addresses)
        )
        told = [
            self.promises.email(
                after,
                "answer_received",
                occasion=f"{event.at}:{address}",
                to=address,
                auto_submitted="auto-generated",
                answer=event.detail,
                channel=channel,
                editor_url=self._editor_url(after),
            )
            for address in recipients
        ]
        self.requests.save_move(before, after, event, outbox=told)
        return after

    def _editor_url(self, request: CorrectionRequest) -> str:
        return f"{self.settings.public_base_url}/editor/#{request.reference}"

    # ---- the deadline sweep ------------------------------------------------------------------

    def sweep(
        self, intake_queue: IntakeQueue | None = None, stale_after: timedelta = timedelta(minutes=10)
    ) -> dict[str, int]:
        """Mark overdue requests and promise editors one email per breach, in the same write;
        re-queue requests whose intake message was lost (stored, never screened)."""
        now = self.clock()
        escalated = 0
        for request in self.requests.open_requests((Status.QUEUED, Status.IN_REVIEW)):
            found = to_escalate(request, now)
            if not found:
                continue
            after, event = mark_escalated(request, found, now)
            emails = [message for breach in found for message in self._escalation(after, breach)]
            try:
                self.requests.record_escalation(request, after, event, outbox=emails)
            except ConcurrentChange:
                continue  # an editor moved it meanwhile: the next sweep looks again
            escalated += 1
        requeued = 0
        if intake_queue is not None:
            for reference in self.requests.stale_received(iso(now - stale_after)):
                intake_queue.send({"reference": reference})
                requeued += 1
        logger.info("deadline sweep", extra={"escalated": escalated, "requeued": requeued})
        return {"escalated": escalated, "requeued": requeued}

    def _escalation(self, request: CorrectionRequest, breach: Breach) -> list[OutboxMessage]:
        recipients = list(self.settings.editor_addresses)
        if request.assignee and "@" in request.assignee and request.assignee not in recipients:
            recipients.append(request.assignee)
        return [
            self.promises.email(
                request,
                "escalation",
                occasion=f"{breach.key}:{address}",
                to=address,
                auto_submitted="auto-generated",
                breach_label=BREACH_LABELS[breach.kind],
                due=breach.due,
                editor_url=self._editor_url(request),
            )
            for address in recipients
        ]
