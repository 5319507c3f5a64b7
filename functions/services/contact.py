"""The requester confirms their address (issue 9): the link's token is checked, the request's
contact record marks the address confirmed, and the mail it was owed meanwhile follows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from adapters.requests_table import RequestsTable
from corrigo.config import Settings
from corrigo.contact import SOURCE_KEY, Contact
from corrigo.errors import NotFound
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest, iso, utc_now
from corrigo.references import is_reference, token_matches
from services.notify import Notifier
from services.queueing import acknowledge

ACTOR = "requester"


def incomplete_notice(settings: Settings, request: CorrectionRequest) -> dict[str, Any]:
    """What the bilingual "your request is incomplete" mail needs besides the request itself."""
    from corrigo.mail.decisions import bilingual_problems, understood  # the mail rules: loaded when needed

    base = settings.public_base_url
    return {
        "problems": bilingual_problems(request.fields, settings.site_domains),
        "understood": understood(request.fields),
        "form_urls": {"zh": f"{base}/?lang=zh", "en": f"{base}/?lang=en"},
        "intake_address": settings.intake_address,
    }


class ContactService:
    def __init__(self, settings: Settings, table: RequestsTable, notifier: Notifier) -> None:
        self.settings = settings
        self.table = table
        self.notifier = notifier

    def check(self, reference: str, token: str | None) -> tuple[CorrectionRequest, Contact]:
        """The request and its contact record if the link's token matches; NotFound alike for an
        unknown reference and a wrong token (the same answer as the status page's)."""
        if not is_reference(reference):
            raise NotFound(reference)
        request = self.table.get(reference)
        contact = Contact.from_source(request.source) if request is not None else None
        if request is None or contact is None or not token_matches(token, contact.token):
            raise NotFound(reference)
        return request, contact

    def confirm(self, reference: str, token: str | None, now: datetime | None = None) -> CorrectionRequest:
        """Confirm the request's address with the link's token. Confirming twice changes nothing and
        sends nothing twice."""
        request, contact = self.check(reference, token)
        if not contact.is_confirmed(request.requester_email):
            at = iso(now or utc_now())
            after = replace(
                request,
                source={**request.source, SOURCE_KEY: contact.confirm(request.requester_email).as_dict()},
                updated_at=at,
                version=request.version + 1,
            )
            event = AuditEvent(at, Action.CONFIRM_CONTACT, ACTOR, request.status, request.status, "confirmation link")
            self.table.save_move(request, after, event)
            request = after
        self.catch_up(request)
        return request

    def catch_up(self, request: CorrectionRequest) -> None:
        """The mail held back while the address was unconfirmed: the acknowledgement of a screened
        request, or the incomplete notice (a request still `received` is acknowledged by the worker)."""
        if request.status is Status.INCOMPLETE and request.channel == "email":
            # The occasion mail intake used: per recipient, so the sender's own notice is not repeated.
            mail = request.source.get("mail") or {}
            occasion = f"object:{mail.get('bucket', '')}/{mail.get('key', '')}"
            self.notifier.notify(request, "incomplete", occasion=occasion, **incomplete_notice(self.settings, request))
            return
        acknowledge(self.notifier, request)
