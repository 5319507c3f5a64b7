"""The editors' desk (issue 11): bulk claim / release / reject, saved reply templates, and the
requests related to the one an editor reads.

Bulk actions go through the same rules and writes as single ones (services.review): each request is
read, decided and written on its own, conditionally, with the outcome email in the same write, so
one refusal leaves the others as they went.
"""

from __future__ import annotations

from typing import Any

from corrigo import review
from corrigo.bulk import BulkAction, ItemResult, Refusal, check_action, check_references, refused
from corrigo.errors import BadQuery, ConcurrentChange, Forbidden, NotFound, ServiceUnavailable
from corrigo.lifecycle import Outcome, Status, TransitionNotAllowed
from corrigo.model import CorrectionRequest, iso
from corrigo.references import is_reference
from corrigo.reply_templates import ReplyTemplate, check_outcome, check_template, new_template, render, values_for
from corrigo.review import Editor, check_reference
from services.ports import Clock, Desk, Requests
from services.replies import default_template, reply_text
from services.review import ReviewService

REJECTED = Outcome.REJECTED.value


class DeskService:
    def __init__(self, review_service: ReviewService, requests: Requests, desk: Desk, clock: Clock) -> None:
        self.review = review_service
        self.requests = requests
        self.desk = desk
        self.clock = clock

    # ---- bulk -------------------------------------------------------------------------------------

    def bulk(self, action: object, references: object, editor: Editor, reply: object = None) -> dict[str, Any]:
        """Every reference its own conditional write; the answer lists each with what happened.
        ``reply`` (reject only; optional): one reply for all, with placeholders filled per request;
        without it each requester gets the rejected template in their own language."""
        chosen = check_action(action)
        wanted = check_references(references)
        template = None
        if reply not in (None, ""):
            if chosen is not BulkAction.REJECT:
                raise BadQuery("reply", "only with action reject")
            template = check_template("reply", reply)
        results = [self._one(chosen, reference, editor, template) for reference in wanted]
        return {
            "action": chosen.value,
            "succeeded": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "items": [
                {
                    "reference": r.reference,
                    "ok": r.ok,
                    "status": r.status,
                    "refusal": r.refusal.value if r.refusal else None,
                }
                for r in results
            ],
        }

    def _one(self, action: BulkAction, reference: str, editor: Editor, template: str | None) -> ItemResult:
        if not is_reference(reference):
            return refused(reference, Refusal.NOT_A_REFERENCE)
        try:
            if action is BulkAction.CLAIM:
                answer = self.review.claim(reference, editor)
            elif action is BulkAction.RELEASE:
                answer = self.review.release(reference, editor)
            else:
                answer = self._reject(reference, editor, template)
            return ItemResult(reference, True, str(answer["status"]))
        except NotFound:
            return refused(reference, Refusal.NOT_FOUND)
        except TransitionNotAllowed as exc:
            return refused(reference, Refusal.NOT_ALLOWED, exc.current.value)
        except Forbidden:
            return refused(reference, Refusal.HELD_BY_OTHER)
        except ConcurrentChange:
            return refused(reference, Refusal.CHANGED_MEANWHILE)
        except ServiceUnavailable:
            return refused(reference, Refusal.UNAVAILABLE)

    def _reject(self, reference: str, editor: Editor, template: str | None) -> dict[str, Any]:
        """Resolved as rejected, its requester told in the same write. A queued request is claimed
        and rejected in one write (two audit events); a quarantined one is screening confirmed."""
        before = self.requests.get(reference)
        if before is None:
            raise NotFound(reference)
        if before.status is Status.QUARANTINED:
            return self.review.confirm_quarantine(reference, editor)
        reply = self._reply(before, template)
        if before.status is Status.IN_REVIEW:
            return self.review.resolve(reference, editor, REJECTED, reply, "")
        now = self.clock()
        claimed, claim_event = review.claim(before, editor, now)
        after, event = review.resolve(claimed, editor, REJECTED, reply, "", now)
        self.desk.save_moves(
            before, after, [claim_event, event], outbox=self.review.decision_messages(after, reply, event.at)
        )
        return {"reference": reference, "status": after.status.value}

    def _reply(self, request: CorrectionRequest, template: str | None) -> str:
        if template is None:
            return reply_text(self.desk, request, REJECTED, request.language)
        return render(template, values_for(request)).strip()

    # ---- reply templates ----------------------------------------------------------------------------

    def template(self, outcome: str) -> dict[str, Any]:
        """The saved template for an outcome, or the file default (``saved`` says which)."""
        saved = self.desk.saved_template(check_outcome(outcome))
        shown = saved or default_template(outcome)
        return {
            "outcome": outcome,
            "zh": shown.zh,
            "en": shown.en,
            "saved": saved is not None,
            "updated_by": shown.updated_by or None,
            "updated_at": shown.updated_at or None,
        }

    def save_template(self, outcome: str, body: dict[str, Any], editor: Editor) -> dict[str, Any]:
        if not editor.is_admin:
            raise Forbidden("only admins edit reply templates")
        template: ReplyTemplate = new_template(outcome, body.get("zh"), body.get("en"), editor.id, iso(self.clock()))
        self.desk.save_template(template)
        return self.template(outcome)

    # ---- related requests ---------------------------------------------------------------------------

    def related(self, reference: str) -> dict[str, Any]:
        """The requester's other requests and the article's, newest first."""
        request = self.requests.get(check_reference(reference))
        if request is None:
            raise NotFound(reference)
        return {
            "reference": reference,
            "requester": self.desk.requester_requests(request),
            "article": self.requests.same_article(request),
        }
