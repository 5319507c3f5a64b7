"""Turn validated fields into a new request: reference, urgency, deadlines and the first audit event."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from corrigo.contact import SOURCE_KEY, new_contact
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest, iso
from corrigo.references import new_reference, new_status_token
from corrigo.schema import fields_by_name, pick_language
from corrigo.urgency import Deadlines, urgency_of


@dataclass(frozen=True)
class NewRequest:
    request: CorrectionRequest
    event: AuditEvent


def honeypot_filled(data: dict[str, Any]) -> bool:
    return any(spec.honeypot and data.get(name) for name, spec in fields_by_name().items())


def new_request(
    data: dict[str, Any],
    *,
    channel: str,
    now: datetime,
    deadlines: Deadlines,
    source: dict[str, Any] | None = None,
    status: Status = Status.RECEIVED,
) -> NewRequest:
    """A request in its first status, with a fresh reference and status token."""
    request_type = str(data.get("request_type", "other"))
    token = new_status_token()
    fields = {name: value for name, value in data.items() if name in fields_by_name()}
    flags = ("honeypot",) if honeypot_filled(fields) else ()
    source = dict(source or {})
    # Every request starts with its address unconfirmed (issue 9); the mail channel passes its own
    # record when SES authenticated the sender.
    source.setdefault(SOURCE_KEY, new_contact(str(fields.get("requester_email", ""))).as_dict())
    request = CorrectionRequest(
        reference=new_reference(now),
        status=status,
        fields=fields,
        language=pick_language(fields.get("language")),
        channel=channel,
        created_at=iso(now),
        updated_at=iso(now),
        urgency=urgency_of(request_type),
        first_response_due=iso(deadlines.first_response_due(request_type, now)),
        decision_due=iso(deadlines.decision_due(request_type, now)),
        status_token=token,
        flags=flags,
        source=source,
    )
    event = AuditEvent(
        at=iso(now), action=Action.SUBMIT, actor="requester", status_before=None, status_after=status, detail=channel
    )
    return NewRequest(request, event)


def payload_fingerprint(data: dict[str, Any]) -> str:
    """Identifies the content of a submission, to tell an honest retry from a reused Idempotency-Key."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
