"""Personal data (PIPL): which parts of a request identify its requester, and the request without them.

A request is kept after erasure, anonymised, for statistics and for the status page: its type,
article, outcome, public note, dates and audit trail (who on the staff did what, when) stay; what
the requester wrote about themselves, where their mail came from and what it carried go. The
adapters and services do the deleting; this module only decides, so the rules live in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from corrigo.contact import SOURCE_KEY as CONTACT_SOURCE_KEY
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest, iso

# The form's fields that say who the requester is, and those they wrote in their own words (which
# often say it too: "I am the mayor of …"). Everything else in `fields` is about the article.
IDENTIFYING_FIELDS = ("requester_name", "requester_organization", "requester_phone", "requester_email")
OWN_WORDS_FIELDS = ("requested_change", "reason", "website")
PERSONAL_FIELDS = IDENTIFYING_FIELDS + OWN_WORDS_FIELDS
# What statistics keep: the article, the kind of request, the requester's stated relationship.
KEPT_FIELDS = ("request_type", "article_url", "article_title", "published_on", "original_text", "relationship")
# Of screening's report, the verdict and score: its findings quote what the requester wrote.
KEPT_SCREENING = ("verdict", "score")
# What a duplicate's link on its primary (services.duplicates.link) copies of its requester.
LINK_PERSONAL_ATTRIBUTES = ("requester_name", "requester_email")

ERASED_KEY = "erased"
DEFAULT_RETENTION_DAYS = 3 * 365
# The index entry a request's move into `resolved` leaves (adapters.requests_table.event_item).
RETENTION_INDEX_KEY = "RETENTION"
REQUESTER_INDEX_PREFIX = "REQUESTER#"
MAX_REASON = 2000


class ErasureReason:
    ON_REQUEST = "request"
    RETENTION = "retention"


def requester_hash(email: str) -> str:
    """The key the `privacy` index finds a requester's requests by: no address in the index itself."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def requester_index_key(email: str) -> str | None:
    return REQUESTER_INDEX_PREFIX + requester_hash(email) if email.strip() else None


def is_erased(request: CorrectionRequest) -> bool:
    return ERASED_KEY in request.source


def retention_cutoff(now: datetime, days: int) -> str:
    """Requests resolved at or before this instant (ISO, as events hold it) are past retention."""
    return iso(now - timedelta(days=days))


def enters_resolution(event: AuditEvent) -> bool:
    """The move that starts the retention clock: into `resolved` from any other status."""
    return event.status_after is Status.RESOLVED and event.status_before is not Status.RESOLVED


def resolved_at(request: CorrectionRequest, events: Iterable[AuditEvent]) -> str | None:
    """When the request last entered `resolved` (None if it is not resolved now): a reopened and
    decided-again request counts from its latest decision."""
    if request.status is not Status.RESOLVED:
        return None
    times = [event.at for event in events if enters_resolution(event)]
    return max(times) if times else request.updated_at


def past_retention(request: CorrectionRequest, events: Iterable[AuditEvent], cutoff: str) -> bool:
    if is_erased(request):
        return False
    at = resolved_at(request, events)
    return at is not None and at <= cutoff


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str


def stored_objects(request: CorrectionRequest) -> list[StoredObject]:
    """The raw mail and every attachment kept from it (or from later mails) in S3."""
    found: list[StoredObject] = []
    mail = request.source.get("mail") or {}
    if mail.get("bucket") and mail.get("key"):
        found.append(StoredObject(str(mail["bucket"]), str(mail["key"])))
    for attachment in request.source.get("attachments") or []:
        if attachment.get("bucket") and attachment.get("key"):
            found.append(StoredObject(str(attachment["bucket"]), str(attachment["key"])))
    return list(dict.fromkeys(found))


def mail_marker_keys(request: CorrectionRequest) -> list[str]:
    """The keys of the once-per-mail markers (corrigo.mail.notification.idempotency_keys) of the mail
    that created the request: its object key and its sender's Message-ID, which names the sender."""
    mail = request.source.get("mail") or {}
    keys = []
    if mail.get("bucket") and mail.get("key"):
        keys.append(f"object:{mail['bucket']}/{mail['key']}")
    if mail.get("message_id"):
        keys.append(f"message-id:{str(mail.get('from') or '').lower()}:{mail['message_id']}")
    return keys


def anonymised(request: CorrectionRequest, *, at: datetime, why: str) -> CorrectionRequest:
    """The request without its requester: what statistics and the status page still need."""
    screening = {k: v for k, v in (request.screening or {}).items() if k in KEPT_SCREENING} or None
    return replace(
        request,
        fields={k: v for k, v in request.fields.items() if k in KEPT_FIELDS},
        source={ERASED_KEY: {"at": iso(at), "why": why}},
        screening=screening,
        updated_at=iso(at),
        version=request.version + 1,
    )


def anonymised_event(event: AuditEvent) -> AuditEvent:
    """An audit event keeps who on the staff did what and when; its free text (a question, a mail's
    summary, an editor's reason) may quote the requester and goes."""
    return replace(event, detail="")


def erasure_event(request: CorrectionRequest, *, actor: str, at: datetime, reason: str) -> AuditEvent:
    """Who erased the request's personal data and why; the status does not change."""
    return AuditEvent(
        at=iso(at),
        action=Action.ERASE,
        actor=actor,
        status_before=request.status,
        status_after=request.status,
        detail=reason[:MAX_REASON],
    )


def same_requester(request: CorrectionRequest, email: str) -> bool:
    return bool(email.strip()) and request.requester_email.strip().lower() == email.strip().lower()


def export_document(email: str, cases: Sequence[tuple[CorrectionRequest, Sequence[AuditEvent]]]) -> dict[str, Any]:
    """Everything held about an address: each request in full (fields, where it came from) and its
    audit trail, oldest request first."""
    return {
        "requester_email": email.strip().lower(),
        "requests": [
            {
                "reference": request.reference,
                "status": request.status.value,
                "channel": request.channel,
                "language": request.language,
                "created_at": request.created_at,
                "updated_at": request.updated_at,
                "outcome": request.outcome,
                "public_note": request.public_note,
                "fields": request.fields,
                "source": _without_secrets(request.source),
                "events": [event.as_dict() for event in events],
            }
            for request, events in sorted(cases, key=lambda case: case[0].created_at)
        ],
    }


def _without_secrets(source: dict[str, Any]) -> dict[str, Any]:
    """Where the request came from, less the confirmation link's token: a capability, not data about
    the requester (whoever holds it could confirm the address)."""
    contact = source.get(CONTACT_SOURCE_KEY)
    if not isinstance(contact, dict):
        return source
    return {**source, CONTACT_SOURCE_KEY: {k: v for k, v in contact.items() if k != "token"}}
