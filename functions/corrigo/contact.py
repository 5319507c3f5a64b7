"""Who may read what a requester wrote (issue 9, no relay): pure rules, no AWS, no clock.

The contact mailbox and the form are open to anyone, and anyone can type anyone's address. So the
service mails a request's text (its fields, quoted in acknowledgements, notices, questions and
outcomes) only to an address that has shown it is the requester's:

- a mail's From address, when SES's verdicts authenticate it (corrigo.mail.notification.sender_authenticated);
- the request's `requester_email`, once its owner follows the confirmation link mailed to it.

Until then an address gets one notice that says only that a request naming it was received, its
reference, the status link and the confirmation link. Each request keeps its own record (in
``source["contact"]``): confirming one request says nothing about the next one naming that address,
so nobody can confirm an address once and then relay through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from corrigo.model import CorrectionRequest
from corrigo.references import new_status_token

SOURCE_KEY = "contact"
CONFIRM_KIND = "confirm"
# Mail to the newsroom's own editors: never the requester's address, so never held back.
EDITOR_KINDS = frozenset({"escalation", "answer_received"})
# Sent with no person deciding it: these count against the per-address daily cap. Questions and
# outcomes are an editor's act, and are not refused by a cap.
AUTOMATIC_KINDS = frozenset({"acknowledgement", "acknowledgement_linked", "incomplete", CONFIRM_KIND})


@dataclass(frozen=True)
class CounterWindow:
    """One address's automatic mail on one (UTC) day; the counter item expires after the window."""

    day: str
    expires_at: int


def counter_window(now: datetime) -> CounterWindow:
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return CounterWindow(now.date().isoformat(), int((day_start + timedelta(days=2)).timestamp()))


def within_cap(count_after_this_one: int, cap: int) -> bool:
    return count_after_this_one <= cap


def same_address(a: str | None, b: str | None) -> bool:
    return bool(a and b) and str(a).strip().lower() == str(b).strip().lower()


def looks_deliverable(address: str) -> bool:
    """Worth handing to SES: one @, something either side, a dot in the domain, no spaces or controls
    (the schema checks the form's field; an incomplete mail may carry anything)."""
    local, at, domain = address.partition("@")
    return (
        bool(at and local and "." in domain.strip("."))
        and "@" not in domain
        and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in address)
    )


@dataclass(frozen=True)
class Contact:
    """One request's record of which addresses have shown they are the requester's."""

    token: str  # the secret of the confirmation link, mailed only to the address it confirms
    confirmed: str = ""  # the requester_email that followed the link (or was the authenticated sender)
    authenticated_from: str = ""  # a mail's From that SES authenticated: it may read its own text
    confirmed_by: str = ""  # "mail" (SES's verdicts) or "link"

    def as_dict(self) -> dict[str, str]:
        return {
            "token": self.token,
            "confirmed": self.confirmed,
            "authenticated_from": self.authenticated_from,
            "confirmed_by": self.confirmed_by,
        }

    @classmethod
    def from_source(cls, source: Mapping[str, Any]) -> Contact | None:
        found = source.get(SOURCE_KEY)
        if not isinstance(found, Mapping):
            return None
        return cls(
            token=str(found.get("token", "")),
            confirmed=str(found.get("confirmed", "")),
            authenticated_from=str(found.get("authenticated_from", "")),
            confirmed_by=str(found.get("confirmed_by", "")),
        )

    def is_confirmed(self, address: str) -> bool:
        return same_address(self.confirmed, address)

    def confirm(self, address: str, by: str = "link") -> Contact:
        return Contact(self.token, address.strip().lower(), self.authenticated_from, by)


def new_contact(address: str, *, authenticated_from: str = "") -> Contact:
    """The record a new request starts with: its address confirmed only when it is the sender SES
    authenticated; otherwise a fresh token for the confirmation link."""
    sender = authenticated_from.strip().lower()
    if sender and same_address(address, sender):
        return Contact(new_status_token(), sender, sender, "mail")
    return Contact(new_status_token(), "", sender, "")


@dataclass(frozen=True)
class Delivery:
    """One recipient of a requester's mail: the message itself (full) or only the confirmation notice."""

    address: str
    full: bool


def deliveries(request: CorrectionRequest) -> tuple[Delivery, ...]:
    """Where a mail about ``request`` may go, and what: the confirmed requester_email gets everything;
    while it is unconfirmed, an authenticated mail sender gets everything and the requester_email
    only the confirmation notice. A request stored before this rule (no record) was acknowledged
    under the old one, and keeps being answered at its address."""
    address = request.requester_email.strip()
    contact = Contact.from_source(request.source)
    if contact is None:
        return (Delivery(address, True),) if looks_deliverable(address) else ()
    if contact.is_confirmed(address):
        return (Delivery(address, True),)
    found = []
    if contact.authenticated_from:
        found.append(Delivery(contact.authenticated_from, True))
    if looks_deliverable(address) and not same_address(address, contact.authenticated_from):
        found.append(Delivery(address, False))
    return tuple(found)


def confirm_url(base_url: str, request: CorrectionRequest) -> str:
    """The link in the confirmation notice (its page asks for one click: a mail scanner's fetch confirms nothing)."""
    contact = Contact.from_source(request.source)
    token = contact.token if contact is not None else ""
    return f"{base_url}/requests/{request.reference}/confirm?token={token}"
