"""Mail to the contact mailbox, from SES's notification to a request: the email channel's use case.

read the raw message from S3 → parse → classify (corrigo.mail.decisions) → one of:
  a bounce of our mail      → the requester's address is marked undeliverable on the request;
  a reply to a reference    → completes an `incomplete` request, answers an editor's question, or is
                              kept in the request's history;
  a new mail                → the schema's fields are read; complete → `received` and queued like a
                              web submission; incomplete → `incomplete` and a bilingual reply saying
                              what is missing; automatic or flagged mail → `quarantined`;
  unreadable mail           → `quarantined` with the reason.

Nothing is lost: the raw message is in S3 before we start, and any failure that retrying will not
cure turns the mail into a quarantined request instead of a dropped one (``handle`` maps errors in
this one place). A redelivered notification finds the marker its first delivery wrote and only
repeats that delivery's idempotent side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from adapters.raw_mail import RawMailStore
from adapters.requests_table import ExistingSubmission, ReferenceTaken, RequestsTable
from corrigo.config import Settings
from corrigo.contact import SOURCE_KEY, Contact, new_contact
from corrigo.errors import ConcurrentChange, NotFound, ServiceUnavailable
from corrigo.intake import new_request
from corrigo.lifecycle import Action, AuditEvent, Status, TransitionNotAllowed
from corrigo.mail import ParsedMail, extract_fields, parse_mail, strip_quoted
from corrigo.mail.config import MailSettings
from corrigo.mail.decisions import (
    AttachmentPlan,
    Kind,
    Notification,
    ReplyPlan,
    auto_reply_blockers,
    classify,
    domain_of,
    guess_language,
    idempotency_keys,
    merge_fields,
    plan_attachments,
    reply_plan,
    same_address,
    sender_authenticated,
    text_excerpt,
    with_sender,
)
from corrigo.mail.limits import Budget, TooCostlyToRead
from corrigo.model import CorrectionRequest, iso, utc_now
from corrigo.validation import validate
from observability import logger
from services.contact import incomplete_notice
from services.intake import REFERENCE_ATTEMPTS, IntakeService
from services.notify import Notifier

ACTOR = "mail-intake"
UNDELIVERABLE_FLAG = "requester_email_undeliverable"
QUARANTINE_FLAG = "mail_quarantined"

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


class MailIntakeService:
    def __init__(
        self,
        settings: Settings,
        mail: MailSettings,
        table: RequestsTable,
        store: RawMailStore,
        intake: IntakeService,
        notifier: Notifier,
        answer_requester: RequesterAnswer | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.mail = mail
        self.table = table
        self.store = store
        self.intake = intake
        self.notifier = notifier
        self.answer_requester = answer_requester
        self.clock = clock
        sender, intake_address = parseaddr(settings.sender_address)[1], parseaddr(settings.intake_address)[1]
        self.own_addresses = tuple(a.lower() for a in (sender, intake_address) if a)
        self.own_domains = tuple(dict.fromkeys(domain_of(a) for a in self.own_addresses))

    # ---- the one entry point, and the one place errors are mapped ------------------------------------

    def handle(self, notification: Notification, seconds_left: float | None = None) -> Handled:
        """Take one received mail. Raises only what a retry may cure (ServiceUnavailable, a concurrent
        change, a raw message not readable yet): the SQS record is then retried, and after
        maxReceiveCount it waits in the dead-letter queue with the raw mail still in S3.

        Reading the mail may take the limits' time budget, or ``seconds_left`` (what the invocation
        has left) if less: a mail that needs more is quarantined as too costly to read, so that it
        never makes the invocation time out and take its batch neighbours down with it."""
        budget = Budget(
            min(self.mail.limits.read_budget_seconds, float("inf") if seconds_left is None else seconds_left)
        )
        seen = self.table.mail_seen(idempotency_keys(notification, None))
        if seen is not None:
            return self._repeat(seen.reference, notification)
        raw = self.store.get(notification.key, notification.bucket)
        mail: ParsedMail | None = None
        keys = idempotency_keys(notification, None)
        try:
            mail = parse_mail(raw, self.mail.limits)
            budget.check("reading the fields")
            keys = idempotency_keys(notification, mail)
            seen = self.table.mail_seen(keys[1:])
            if seen is not None:  # the same message again, under another object key
                self.table.remember_mail(keys[:1], seen.reference)
                return self._repeat(seen.reference, notification)
            return self._route(notification, mail, keys, budget)
        except (ServiceUnavailable, ConcurrentChange):
            raise
        except TooCostlyToRead as stopped:  # the raw mail is in S3: editors can read it there
            logger.warning("mail too costly to read; quarantined", extra={"step": stopped.step})
            data = with_sender({}, mail.from_address) if mail is not None else {}
            return self._quarantine(notification, mail, keys, str(stopped), data=data)
        except Exception as exc:  # a mail no rule foresaw must still reach editors, never vanish
            logger.exception("mail could not be processed; quarantined", extra={"object_key": notification.key})
            reason = f"could not be processed: {type(exc).__name__}: {exc}"[:500]
            # Without its attachments: storing them may be what failed.
            return self._quarantine(
                notification, mail, keys, reason, data={}, source=self._source(notification, mail, None)
            )

    def _route(self, notification: Notification, mail: ParsedMail, keys: list[str], budget: Budget) -> Handled:
        found = classify(mail, self.own_domains)
        if found.kind is Kind.UNREADABLE or found.kind is Kind.STRAY_BOUNCE:
            return self._quarantine(notification, mail, keys, found.reason, data=with_sender({}, mail.from_address))
        assert found.reference is not None or found.kind is Kind.NEW
        if found.kind is Kind.BOUNCE:
            request = self.table.get(str(found.reference))
            if request is None:
                reason = f"a delivery report about {found.reference}, which does not exist"
                return self._quarantine(notification, mail, keys, reason, data={})
            return self._bounce(mail, request, keys)
        if found.kind is Kind.REPLY:
            request = self.table.get(str(found.reference))
            if request is not None:
                return self._reply(notification, mail, request, keys)
            # A reference we never issued (a typo, an old mail): read it as a new request.
        return self._new(notification, mail, keys, budget)

    # ---- new mail ---------------------------------------------------------------------------------

    def _new(self, notification: Notification, mail: ParsedMail, keys: list[str], budget: Budget) -> Handled:
        extraction = extract_fields(mail, self.mail.limits, budget)
        data = with_sender(extraction.data, mail.from_address)
        data.setdefault("language", guess_language(mail.subject, mail.text))
        language = str(data["language"])
        blockers = auto_reply_blockers(mail, own_addresses=self.own_addresses, verdicts=notification.verdicts)
        attachments = self._keep_attachments(notification, mail)
        source = self._source(notification, mail, attachments, extracted=extraction.source, notes=extraction.notes)
        if blockers:
            # Nobody wrote it to us by hand, or SES found it to be spam or a virus: editors decide.
            reason = "automatic or flagged mail: " + "; ".join(blockers)
            return self._quarantine(notification, mail, keys, reason, data=data, source=source)
        if extraction.cut_short:
            # The time budget ran out: editors get the fields read so far and the raw mail.
            return self._quarantine(notification, mail, keys, extraction.cut_short, data=data, source=source)
        checked = validate(data, domains=self.settings.site_domains, language=language)
        if checked.ok:
            request, created = self._create(checked.data, source, keys)
            if not created:
                return self._repeat(request.reference, notification)
            self.intake.enqueue(request.reference)
            return Handled("created", request.reference, request.status.value)
        missing = [e.field for e in checked.errors]
        may_reply, why_not = self._may_auto_reply(mail, blockers)
        source["mail"].update(auto_reply=may_reply, auto_reply_blocked=why_not)
        request, created = self._create(
            checked.data,
            source,
            keys,
            action=Action.MARK_INCOMPLETE,
            detail="missing or invalid: " + ", ".join(missing),
        )
        if not created:
            return self._repeat(request.reference, notification)
        if may_reply:
            self._tell_incomplete(request, keys[0])
        return Handled("created", request.reference, request.status.value, auto_reply=may_reply)

    # ---- replies ------------------------------------------------------------------------------------

    def _reply(
        self, notification: Notification, mail: ParsedMail, request: CorrectionRequest, keys: list[str]
    ) -> Handled:
        blockers = auto_reply_blockers(mail, own_addresses=self.own_addresses, verdicts=notification.verdicts)
        if not blockers and not sender_authenticated(notification.verdicts, mail, notification.envelope_sender):
            # Anyone can write a From header: a reply changes a request only when SES vouches for it.
            # Kept for the editor, acted on never, answered never.
            verdicts = ", ".join(
                f"{k}={v}" for k, v in notification.verdicts.as_dict().items() if k not in ("spam", "virus")
            )
            why = f"unverified sender (SES {verdicts}): kept for the editor, not acted on"
            return self._record(notification, mail, request, keys, why, link_attachments=False)
        original_sender = str((request.source.get("mail") or {}).get("from", ""))
        contact = Contact.from_source(request.source)
        from_requester = (
            same_address(mail.from_address, request.requester_email)
            or same_address(mail.from_address, original_sender)
            or (contact is not None and same_address(mail.from_address, contact.authenticated_from))
        )
        plan = reply_plan(request.status, from_requester=from_requester, automatic=bool(blockers))
        if plan is ReplyPlan.COMPLETE and not from_requester:
            plan = ReplyPlan.RECORD  # a stranger who saw the reference does not fill in someone's request
        if plan is ReplyPlan.COMPLETE:
            return self._complete(notification, mail, request, keys)
        if plan is ReplyPlan.ANSWER and self.answer_requester is not None:
            text = text_excerpt(strip_quoted(mail.text), 5000) or mail.subject
            try:
                after = self.answer_requester(request.reference, text)
            except (TransitionNotAllowed, NotFound):
                pass  # it moved meanwhile (an editor took it back): keep the mail in the history instead
            else:
                self._keep_evidence(notification, mail, request.reference)
                self.table.remember_mail(keys, request.reference)
                return Handled("answered", request.reference, getattr(getattr(after, "status", None), "value", None))
        why = "automatic mail, not acted on: " + "; ".join(blockers) if blockers else "reply by email"
        return self._record(notification, mail, request, keys, why)

    def _complete(
        self, notification: Notification, mail: ParsedMail, request: CorrectionRequest, keys: list[str]
    ) -> Handled:
        extraction = extract_fields(mail, self.mail.limits)
        # The address of record is never changed through mail: it is where the requester's text may go.
        offered = {name: value for name, value in extraction.data.items() if name != "requester_email"}
        merged = merge_fields(request.fields, offered)
        checked = validate(merged, domains=self.settings.site_domains, language=request.language)
        source = self._with_attachments(request.source, self._keep_attachments(notification, mail))
        contact = Contact.from_source(source)
        if contact is not None and same_address(mail.from_address, request.requester_email):
            # An authenticated mail from the address of record shows it is the requester's, as the link does.
            source[SOURCE_KEY] = contact.confirm(request.requester_email, by="mail").as_dict()
        now = self.clock()
        if checked.ok:
            after, event = request.move(
                Action.COMPLETE, actor="requester", at=now, detail="email", fields=checked.data, source=source
            )
            self.table.save_move(request, after, event)
            self.table.remember_mail(keys, request.reference)
            self.intake.enqueue(request.reference)
            return Handled("completed", after.reference, after.status.value)
        missing = ", ".join(e.field for e in checked.errors)
        after, event = self._unchanged_status(
            request, now, Action.MAIL_RECEIVED, f"reply by email; still missing or invalid: {missing}", checked.data
        )
        after = replace(after, source=source)
        self.table.save_move(request, after, event)
        may_reply, _ = self._may_auto_reply(mail, ())
        if may_reply:
            self._tell_incomplete(after, keys[0])
        self.table.remember_mail(keys, request.reference)
        return Handled("still_incomplete", after.reference, after.status.value, auto_reply=may_reply)

    def _record(
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
        after, event = self._unchanged_status(request, self.clock(), Action.MAIL_RECEIVED, detail)
        if link_attachments:
            attachments = self._keep_attachments(notification, mail)
            after = replace(after, source=self._with_attachments(after.source, attachments))
        self.table.save_move(request, after, event)
        self.table.remember_mail(keys, request.reference)
        return Handled("recorded", request.reference, request.status.value)

    # ---- bounces ------------------------------------------------------------------------------------

    def _bounce(self, mail: ParsedMail, request: CorrectionRequest, keys: list[str]) -> Handled:
        """A delivery report about our mail: never answered; the request says its address bounced."""
        recipients = [r.lower() for r in mail.bounced_recipients]
        # We write to the form's address and, about an emailed request, to the address it came from.
        requester_addresses = {
            request.requester_email.lower(),
            str((request.source.get("mail") or {}).get("from", "")).lower(),
        }
        about_requester = not recipients or bool(requester_addresses & set(recipients))
        detail = "delivery failed to " + (", ".join(recipients) or "the requester")
        flags = request.flags
        if about_requester and UNDELIVERABLE_FLAG not in flags:
            flags = (*flags, UNDELIVERABLE_FLAG)
        action = Action.UNDELIVERABLE if about_requester else Action.MAIL_RECEIVED
        after, event = self._unchanged_status(request, self.clock(), action, detail)
        self.table.save_move(request, replace(after, flags=flags), event)
        self.table.remember_mail(keys, request.reference)
        return Handled("bounce", request.reference, request.status.value)

    # ---- quarantine ---------------------------------------------------------------------------------

    def _quarantine(
        self,
        notification: Notification,
        mail: ParsedMail | None,
        keys: list[str],
        reason: str,
        *,
        data: dict[str, Any],
        source: dict[str, Any] | None = None,
    ) -> Handled:
        """A request editors see in quarantine, with the reason and the raw mail's location; no reply."""
        if source is None:
            attachments = self._keep_attachments(notification, mail) if mail is not None else None
            source = self._source(notification, mail, attachments)
        source["mail"]["quarantine_reason"] = reason
        if data:
            language = str(data.get("language") or "zh")
            data = validate(data, domains=self.settings.site_domains, language=language).data
        request, created = self._create(
            data, source, keys, action=Action.SCREEN_QUARANTINE, detail=reason, flags=(QUARANTINE_FLAG,)
        )
        if not created:
            return self._repeat(request.reference, notification)
        logger.info("mail quarantined", extra={"reference": request.reference, "reason": reason[:200]})
        return Handled("quarantined", request.reference, request.status.value)

    # ---- shared steps ----------------------------------------------------------------------------------

    def _create(
        self,
        data: dict[str, Any],
        source: dict[str, Any],
        keys: Sequence[str],
        *,
        action: Action | None = None,
        detail: str = "",
        flags: tuple[str, ...] = (),
    ) -> tuple[CorrectionRequest, bool]:
        """Store a request made from this mail, once: (the request, True), or the one an earlier
        delivery of the same mail created and False. ``action`` moves it on from `received` in the
        same write (MARK_INCOMPLETE, SCREEN_QUARANTINE), so the history shows both steps."""
        mail_source = source.get("mail") or {}
        authenticated = str(mail_source.get("from", "")) if mail_source.get("authenticated") else ""
        source = {
            **source,
            SOURCE_KEY: new_contact(str(data.get("requester_email", "")), authenticated_from=authenticated).as_dict(),
        }
        for _ in range(REFERENCE_ATTEMPTS):
            now = self.clock()
            new = new_request(data, channel="email", now=now, deadlines=self.settings.deadlines, source=source)
            request, events = replace(new.request, flags=(*new.request.flags, *flags)), [new.event]
            if action is not None:
                # A millisecond later, so that the history (sorted by time) lists the submission first.
                request, event = request.move(action, actor=ACTOR, at=now + timedelta(milliseconds=1), detail=detail)
                events.append(event)
            try:
                self.table.create_once(request, events, keys)
            except ReferenceTaken:
                continue
            except ExistingSubmission as first:
                existing = self.table.get(first.reference)
                if existing is None:
                    raise ConcurrentChange(f"{first.reference} vanished") from first
                return existing, False
            return request, True
        raise ServiceUnavailable("could not draw a free reference")

    def _repeat(self, reference: str, notification: Notification) -> Handled:
        """A mail handled before: repeat only what its first delivery may not have finished."""
        request = self.table.get(reference)
        if request is None:
            return Handled("ignored", reference)
        if request.status is Status.RECEIVED:
            self.intake.enqueue(reference)  # the worker ignores a request it has already queued
        mail_source = request.source.get("mail") or {}
        first_key = idempotency_keys(notification, None)[0]
        if (
            request.status is Status.INCOMPLETE
            and mail_source.get("auto_reply")
            and mail_source.get("key") == notification.key
        ):
            self._tell_incomplete(request, first_key)  # idempotent
        return Handled("repeated", reference, request.status.value)

    @staticmethod
    def _may_auto_reply(mail: ParsedMail, blockers: Sequence[str]) -> tuple[bool, str]:
        """No reply to robots. The daily cap per address (so that even a robot that looks like a person
        cannot keep a conversation with us going) is the Notifier's, shared by every channel."""
        if blockers:
            return False, "; ".join(blockers)
        return True, ""

    def _tell_incomplete(self, request: CorrectionRequest, occasion: str) -> None:
        """The bilingual notice of what is missing: the Notifier sends it in full only to an address
        that has shown it is the requester's, and the confirmation notice to any other."""
        self.notifier.notify(request, "incomplete", occasion=occasion, **incomplete_notice(self.settings, request))

    def _unchanged_status(
        self,
        request: CorrectionRequest,
        now: datetime,
        action: Action,
        detail: str,
        fields: dict[str, Any] | None = None,
    ) -> tuple[CorrectionRequest, AuditEvent]:
        """An audit event that leaves the status as it is (not a lifecycle transition)."""
        after = replace(
            request,
            fields=request.fields if fields is None else fields,
            updated_at=iso(now),
            version=request.version + 1,
        )
        event = AuditEvent(
            at=iso(now),
            action=action,
            actor=ACTOR,
            status_before=request.status,
            status_after=request.status,
            detail=detail[:5000],
        )
        return after, event

    def _keep_attachments(self, notification: Notification, mail: ParsedMail) -> dict[str, Any]:
        """Store the attachments (within the limits) under the mail's own prefix, before the request
        that links them is written: a retry rewrites the same keys."""
        plan: AttachmentPlan = plan_attachments(
            mail.attachments, max_count=self.mail.max_attachments, max_bytes=self.mail.max_attachment_bytes
        )
        folder = f"{self.mail.attachment_prefix}{notification.key.rsplit('/', 1)[-1]}/"
        kept = []
        for item in plan.kept:
            key = folder + item.name
            data = mail.attachments[item.index].data
            self.store.put_attachment(key, data, filename=item.filename, content_type=item.content_type)
            kept.append(
                {
                    "bucket": self.store.bucket,
                    "key": key,
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "size": item.size,
                }
            )
        return {"attachments": kept, "attachments_skipped": list(plan.skipped)}

    def _keep_evidence(self, notification: Notification, mail: ParsedMail, reference: str) -> None:
        """Attachments of an answer to an editor's question: stored and linked like any other."""
        attachments = self._keep_attachments(notification, mail)
        if not attachments["attachments"] and not attachments["attachments_skipped"]:
            return
        request = self.table.get(reference)
        if request is None:
            return
        after, event = self._unchanged_status(request, self.clock(), Action.MAIL_RECEIVED, "attachments of an answer")
        self.table.save_move(request, replace(after, source=self._with_attachments(request.source, attachments)), event)

    @staticmethod
    def _with_attachments(source: dict[str, Any], attachments: dict[str, Any]) -> dict[str, Any]:
        merged = dict(source)
        for name in ("attachments", "attachments_skipped"):
            merged[name] = [*source.get(name, []), *attachments.get(name, [])]
        return merged

    def _source(
        self,
        notification: Notification,
        mail: ParsedMail | None,
        attachments: dict[str, Any] | None,
        *,
        extracted: str = "none",
        notes: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Where the request came from, for editors (and screening, issue 5): the raw mail's place,
        SES's verdicts, what the parser and the extractor noticed."""
        described: dict[str, Any] = {
            "bucket": notification.bucket,
            "key": notification.key,
            "ses_message_id": notification.ses_message_id,
            "verdicts": notification.verdicts.as_dict(),
            "extracted_from": extracted,
            "notes": list(notes)[:20],
        }
        if mail is not None:
            described.update(
                {
                    "message_id": mail.message_id or "",
                    "from": mail.from_address or "",
                    "from_name": mail.from_name[:200],
                    "subject": mail.subject[:500],
                    "problems": list(mail.problems)[:20],
                    "forwarded": bool(mail.forwarded),
                    # SES vouches for the From address (issue 9): it may be sent the text it wrote.
                    "authenticated": sender_authenticated(notification.verdicts, mail, notification.envelope_sender),
                }
            )
        return {"mail": described, **(attachments or {"attachments": [], "attachments_skipped": []})}
