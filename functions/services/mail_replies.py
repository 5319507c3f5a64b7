"""Email intake's mail about an existing request: a reply (it completes an `incomplete` request,
answers an editor's question, or is kept in the request's history) or a bounce of our mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corrigo.contact import SOURCE_KEY, Contact
from corrigo.errors import NotFound
from corrigo.lifecycle import Action, TransitionNotAllowed
from corrigo.mail import ParsedMail, extract_fields, strip_quoted
from corrigo.mail.decisions import (
    ReplyPlan,
    auto_reply_blockers,
    merge_fields,
    reply_plan,
    same_address,
    text_excerpt,
)
from corrigo.mail.notification import Notification, sender_authenticated
from corrigo.mail_origin import MailOrigin
from corrigo.model import CorrectionRequest
from corrigo.outbox import OutboxMessage
from corrigo.undeliverable import mark_undeliverable
from corrigo.validation import validate
from services.contact import incomplete_notice
from services.mail_attachments import ACTOR, MailDesk, keep_attachments, link_evidence, with_attachments

# The hook for a reply to a request that is `awaiting_requester`: (reference, text) → the request after.
# The handler wires the review service's `answer`; without one, the reply is kept in the history.
RequesterAnswer = Callable[[str, str], Any]


@dataclass(frozen=True)
class Handled:
    """What became of one mail: for logs, metrics and tests."""

    outcome: str  # created, completed, still_incomplete, answered, recorded, bounce, quarantined, repeated, ignored
    reference: str | None = None
    status: str | None = None
    auto_reply: bool = False


def original_sender(request: CorrectionRequest) -> str:
    """The address an emailed request came from ("" for the web's)."""
    origin = MailOrigin.from_source(request.source)
    return str(origin.from_address or "") if origin is not None else ""


class MailReplies:
    def __init__(self, desk: MailDesk, answer_requester: RequesterAnswer | None = None) -> None:
        self.desk = desk
        self.answer_requester = answer_requester

    def incomplete_notice(self, request: CorrectionRequest, occasion: str) -> OutboxMessage:
        """The bilingual notice of what is missing (the outbox sends it in full only to an address that
        has shown it is the requester's, and the confirmation notice to any other)."""
        return self.desk.promises.email(
            request, "incomplete", occasion=occasion, **incomplete_notice(self.desk.settings, request)
        )

    def reply(
        self, notification: Notification, mail: ParsedMail, request: CorrectionRequest, keys: list[str]
    ) -> Handled:
        blockers = auto_reply_blockers(mail, own_addresses=self.desk.own_addresses, verdicts=notification.verdicts)
        if not blockers and not sender_authenticated(notification.verdicts, mail, notification.envelope_sender):
            # Anyone can write a From header: a reply changes a request only when SES vouches for it.
            # Kept for the editor, acted on never, answered never.
            verdicts = ", ".join(
                f"{k}={v}" for k, v in notification.verdicts.as_dict().items() if k not in ("spam", "virus")
            )
            why = f"unverified sender (SES {verdicts}): kept for the editor, not acted on"
            return self.record(notification, mail, request, keys, why, link_attachments=False)
        first_sender = original_sender(request)
        contact = Contact.from_source(request.source)
        from_requester = (
            same_address(mail.from_address, request.requester_email)
            or same_address(mail.from_address, first_sender)
            or (contact is not None and same_address(mail.from_address, contact.authenticated_from))
        )
        plan = reply_plan(request.status, from_requester=from_requester, automatic=bool(blockers))
        if plan is ReplyPlan.COMPLETE and not from_requester:
            plan = ReplyPlan.RECORD  # a stranger who saw the reference does not fill in someone's request
        if plan is ReplyPlan.COMPLETE:
            return self.complete(notification, mail, request, keys)
        if plan is ReplyPlan.ANSWER and self.answer_requester is not None:
            text = text_excerpt(strip_quoted(mail.text), 5000) or mail.subject
            try:
                after = self.answer_requester(request.reference, text)
            except (TransitionNotAllowed, NotFound):
                pass  # it moved meanwhile (an editor took it back): keep the mail in the history instead
            else:
                link_evidence(
                    self.desk.requests,
                    request.reference,
                    keep_attachments(self.desk.store, self.desk.mail, notification, mail),
                    self.desk.clock,
                )
                self.desk.markers.remember(keys, request.reference)
                return Handled("answered", request.reference, getattr(getattr(after, "status", None), "value", None))
        why = "automatic mail, not acted on: " + "; ".join(blockers) if blockers else "reply by email"
        return self.record(notification, mail, request, keys, why)

    def complete(
        self, notification: Notification, mail: ParsedMail, request: CorrectionRequest, keys: list[str]
    ) -> Handled:
        extraction = extract_fields(mail, self.desk.mail.limits)
        # The address of record is never changed through mail: it is where the requester's text may go.
        offered = {name: value for name, value in extraction.data.items() if name != "requester_email"}
        merged = merge_fields(request.fields, offered)
        checked = validate(merged, domains=self.desk.settings.site_domains, language=request.language)
        source = with_attachments(request.source, keep_attachments(self.desk.store, self.desk.mail, notification, mail))
        contact = Contact.from_source(source)
        if contact is not None and same_address(mail.from_address, request.requester_email):
            # An authenticated mail from the address of record shows it is the requester's, as the link does.
            source[SOURCE_KEY] = contact.confirm(request.requester_email, by="mail").as_dict()
        now = self.desk.clock()
        if checked.ok:
            after, event = request.move(
                Action.COMPLETE, actor="requester", at=now, detail="email", fields=checked.data, source=source
            )
            self.desk.requests.save_move(request, after, event)
            self.desk.markers.remember(keys, request.reference)
            self.desk.intake.enqueue(request.reference)
            return Handled("completed", after.reference, after.status.value)
        missing = ", ".join(e.field for e in checked.errors)
        after, event = request.record(
            Action.MAIL_RECEIVED,
            actor=ACTOR,
            at=now,
            detail=f"reply by email; still missing or invalid: {missing}",
            fields=checked.data,
            source=source,
        )
        # A person's reply (robots' replies are only recorded): answered, within the Notifier's daily cap.
        self.desk.requests.save_move(request, after, event, outbox=[self.incomplete_notice(after, keys[0])])
        self.desk.markers.remember(keys, request.reference)
        return Handled("still_incomplete", after.reference, after.status.value, auto_reply=True)

    def record(
        self,
        notification: Notification,
        mail: ParsedMail,
        request: CorrectionRequest,
        keys: list[str],
        why: str,
        *,
        link_attachments: bool = True,
    ) -> Handled:
        """Keep the mail in the request's history (editors read it there); the status does not change.
        An unverified sender's attachments are not linked to the request (the raw mail keeps them)."""
        detail = (
            f"{why}\nSubject: {mail.subject}\nRaw mail: {notification.key}\n\n{text_excerpt(strip_quoted(mail.text))}"
        )
        source = request.source
        if link_attachments:
            source = with_attachments(source, keep_attachments(self.desk.store, self.desk.mail, notification, mail))
        after, event = request.record(
            Action.MAIL_RECEIVED, actor=ACTOR, at=self.desk.clock(), detail=detail, source=source
        )
        self.desk.requests.save_move(request, after, event)
        self.desk.markers.remember(keys, request.reference)
        return Handled("recorded", request.reference, request.status.value)

    def bounce(self, mail: ParsedMail, request: CorrectionRequest, keys: list[str]) -> Handled:
        """A delivery report about our mail: never answered; the request says its address bounced."""
        recipients = [r.lower() for r in mail.bounced_recipients]
        # We write to the form's address and, about an emailed request, to the address it came from.
        requester_addresses = {request.requester_email.lower(), original_sender(request).lower()}
        about_requester = not recipients or bool(requester_addresses & set(recipients))
        detail = "delivery failed to " + (", ".join(recipients) or "the requester")
        if about_requester:
            after, event = mark_undeliverable(request, actor=ACTOR, at=self.desk.clock(), detail=detail)
        else:
            after, event = request.record(Action.MAIL_RECEIVED, actor=ACTOR, at=self.desk.clock(), detail=detail)
        self.desk.requests.save_move(request, after, event)
        self.desk.markers.remember(keys, request.reference)
        return Handled("bounce", request.reference, request.status.value)
