"""The requester confirms their address (issue 9): the link's token is checked, the request's
contact record marks the address confirmed, and the mail it was owed meanwhile is promised in the
same write."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from corrigo.config import Settings
from corrigo.contact import SOURCE_KEY, Contact
from corrigo.errors import NotFound
from corrigo.lifecycle import Action, Status
from corrigo.mail_origin import MailOrigin
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.references import is_reference, token_matches
from services.ports import Clock, NewId, Requests
from services.promises import Promises

ACTOR = "requester"


def incomplete_notice(settings: Settings, request: CorrectionRequest) -> dict[str, Any]:
    """What the bilingual "your request is incomplete" mail needs besides the request itself: plain
    data (maps, lists, text), as an outbox message stores it."""
    from corrigo.mail.decisions import bilingual_problems, understood  # the mail rules: loaded when needed

    base = settings.public_base_url
    return {
        "problems": [asdict(problem) for problem in bilingual_problems(request.fields, settings.site_domains)],
        "understood": [list(row) for row in understood(request.fields)],
        "form_urls": {"zh": f"{base}/?lang=zh", "en": f"{base}/?lang=en"},
        "intake_address": settings.intake_address,
    }


def incomplete_occasion(request: CorrectionRequest) -> str:
    """The occasion mail intake uses for the incomplete notice: the mail that was incomplete."""
    origin = MailOrigin.from_source(request.source)
    return origin.object_occasion if origin is not None else "object:/"


class ContactService:
    def __init__(self, settings: Settings, requests: Requests, new_id: NewId, clock: Clock) -> None:
        self.settings = settings
        self.requests = requests
        self.clock = clock
        self.promises = Promises(new_id, clock)

    def check(self, reference: str, token: str | None) -> tuple[CorrectionRequest, Contact]:
        """The request and its contact record if the link's token matches; NotFound alike for an
        unknown reference and a wrong token (the same answer as the status page's)."""
        if not is_reference(reference):
            raise NotFound(reference)
        request = self.requests.get(reference)
        contact = Contact.from_source(request.source) if request is not None else None
        if request is None or contact is None or not token_matches(token, contact.token):
            raise NotFound(reference)
        return request, contact

    def confirm(self, reference: str, token: str | None) -> CorrectionRequest:
        """Confirm the request's address with the link's token, and promise the mail held back
        meanwhile in the same write. Confirming twice changes nothing and sends nothing twice."""
        request, contact = self.check(reference, token)
        if contact.is_confirmed(request.requester_email):
            return request
        confirmed = contact.confirm(request.requester_email).as_dict()
        after, event = request.record(
            Action.CONFIRM_CONTACT,
            actor=ACTOR,
            at=self.clock(),
            detail="confirmation link",
            source={**request.source, SOURCE_KEY: confirmed},
        )
        self.requests.save_move(request, after, event, outbox=self.held_back(after))
        return after

    def held_back(self, request: CorrectionRequest) -> list[OutboxMessage]:
        """The mail held back while the address was unconfirmed: the acknowledgement of a screened
        request, or the incomplete notice (a request still `received` is acknowledged by the worker)."""
        if request.status is Status.INCOMPLETE and request.channel == "email":
            # The occasion mail intake used: per recipient, so the sender's own notice is not repeated.
            notice = incomplete_notice(self.settings, request)
            return [self.promises.email(request, "incomplete", occasion=incomplete_occasion(request), **notice)]
        return self.promises.acknowledgement(request)
