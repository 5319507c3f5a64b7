"""What the editors' API answers about requests: a queue row (``summary``) and the case file
(``case_document``), as JSON-ready dicts in the stored values' own terms; the page labels them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corrigo.deadlines import is_overdue
from corrigo.lifecycle import STATUS_LABELS, Action, AuditEvent, allowed_actions
from corrigo.model import CorrectionRequest
from corrigo.outbox import UNDELIVERABLE_FLAG
from corrigo.review import Note
from corrigo.spam import is_spam
from corrigo.timeline import timeline
from corrigo.urgency import URGENCY_LABELS


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
        "first_response_at": request.first_response_at,
        "paused_at": request.paused_at,
        "assignee": request.assignee,
        "outcome": request.outcome,
        "spam": is_spam(request),
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
        # History and notes as one list by time: what the case view shows (issue 11).
        "timeline": timeline(events, notes),
        "same_article": others,
        # Requesters whose duplicates screening merged into this one: each is told its outcome.
        "linked_requesters": linked or [],
        # Kept from the requester's mail (services/mail_attachments): the edge adds download links.
        "attachments": list(request.source.get("attachments") or []),
        "attachments_skipped": list(request.source.get("attachments_skipped") or []),
        "requester_undeliverable": UNDELIVERABLE_FLAG in request.flags,
    }


def review_allowed(request: CorrectionRequest) -> list[Action]:
    return allowed_actions(request.status)
