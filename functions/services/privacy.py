"""Personal data (issue 9, PIPL): erasure on request, export, and erasure after the retention period.

Erasure removes, in this order, so that a crash at any step leaves what a retry needs to finish:
every version of the raw mail and attachments in S3, the mail's once-per-mail markers, the editors'
notes, the events' free text, the requester's copy on a duplicate's primary; then, last, the request
is rewritten anonymised together with the audit event saying who erased it and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from adapters.privacy_store import HeldItems, PrivacyStore
from corrigo import privacy
from corrigo.errors import BadQuery, ConcurrentChange, Forbidden, NotFound
from corrigo.lifecycle import Action
from corrigo.model import utc_now
from corrigo.review import Editor
from observability import logger

RETENTION_ACTOR = "retention"
RETENTION_DETAIL = "PersonalDataRetentionDays"
# Per sweep (every 15 minutes): ~2,400 a day, far more than a newsroom resolves, within the timeout.
RETENTION_BATCH = 25


class PrivacyService:
    def __init__(self, store: PrivacyStore, *, retention_days: int, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.retention_days = retention_days
        self.clock = clock

    # ---- on request (admins) -------------------------------------------------------------------------

    def erase(self, reference: str, editor: Editor, reason: str) -> dict[str, Any]:
        require_admin(editor)
        reason = reason.strip()
        if not reason:
            raise BadQuery("reason", "a reason is required (it is kept in the audit trail)")
        held = self.store.held(reference)
        if held.request is None:
            raise NotFound(reference)
        repeated = privacy.is_erased(held.request)
        # The same requester's duplicates linked to this request hold the same person's data. They go
        # first: their links on this request are how a retry after a crash would find them again.
        duplicates = [
            str(link["reference"])
            for link in held.links
            if privacy.same_requester(held.request, str(link.get("requester_email", "")))
        ]
        for duplicate in duplicates:
            linked = self.store.held(duplicate)
            if linked.request is not None:
                self._erase(linked, actor=editor.id, reason=reason, why=privacy.ErasureReason.ON_REQUEST)
        self._erase(held, actor=editor.id, reason=reason, why=privacy.ErasureReason.ON_REQUEST)
        logger.info("erasure requested", extra={"reference": reference, "editor": editor.id, "duplicates": duplicates})
        return {"reference": reference, "erased": True, "repeated": repeated, "duplicates": duplicates}

    def export(self, email: str, editor: Editor) -> dict[str, Any]:
        """Every request (with its events) whose requester_email is ``email``: one index query, then
        one query per request."""
        require_admin(editor)
        cases = []
        for reference in self.store.references_of(email):
            held = self.store.held(reference)
            if held.request is not None and privacy.same_requester(held.request, email):
                cases.append((held.request, held.history))
        logger.info("personal data exported", extra={"editor": editor.id, "requests": len(cases)})
        return privacy.export_document(email, cases)

    # ---- after the retention period (the deadline sweep) ----------------------------------------------

    def sweep_retention(self, limit: int = RETENTION_BATCH) -> dict[str, int]:
        """Erase resolved requests whose latest resolution is older than the retention period. Reads
        only the due part of the index: the cost follows what is due, not the table's size."""
        cutoff = privacy.retention_cutoff(self.clock(), self.retention_days)
        erased = 0
        for event_key, reference in self.store.due_for_retention(cutoff, limit):
            held = self.store.held(reference)
            if held.request is not None and privacy.past_retention(held.request, held.history, cutoff):
                try:
                    self._erase(
                        held, actor=RETENTION_ACTOR, reason=RETENTION_DETAIL, why=privacy.ErasureReason.RETENTION
                    )
                except ConcurrentChange:
                    continue  # moved meanwhile (reopened): the next sweep looks again
                erased += 1
            else:
                # Reopened (and perhaps decided again later, with an index entry of its own), or gone.
                self.store.leave_retention_index(event_key)
        logger.info("retention sweep", extra={"erased": erased, "cutoff": cutoff})
        return {"erased": erased}

    # ---- shared ------------------------------------------------------------------------------------

    def _erase(self, held: HeldItems, *, actor: str, reason: str, why: str) -> None:
        request = held.request
        assert request is not None  # checked by every caller
        self.store.delete_objects(privacy.stored_objects(request))
        self.store.delete_markers(privacy.mail_marker_keys(request))
        self.store.delete_notes(held.notes)
        # The erasure's own event keeps its reason: it is the record of who erased and why.
        self.store.blank_events([(key, event) for key, event in held.events if event.action is not Action.ERASE])
        if request.merged_into:
            self.store.forget_link(request.merged_into, request.reference)
        for link in held.links:
            if privacy.same_requester(request, str(link.get("requester_email", ""))):
                self.store.forget_link(request.reference, str(link["reference"]))
        if privacy.is_erased(request):
            return  # a retry, or an erasure repeated: the request itself is already anonymised
        now = self.clock()
        self.store.save_anonymised(
            request,
            privacy.anonymised(request, at=now, why=why),
            privacy.erasure_event(request, actor=actor, at=now, reason=reason),
        )
        # One line per erased request: after a restore from PITR, these name what to erase again.
        logger.info("personal data erased", extra={"reference": request.reference, "actor": actor, "why": why})


def require_admin(editor: Editor) -> None:
    if not editor.is_admin:
        raise Forbidden("only an admin may erase or export personal data")
