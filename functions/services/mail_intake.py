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
repeats what it may not have finished (queueing a `received` request). Every mail it answers
(the incomplete notice) is an outbox message written with the request it answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from corrigo.config import Settings
from corrigo.conflicts import ExistingSubmission, ReferenceTaken
from corrigo.contact import SOURCE_KEY, new_contact
from corrigo.errors import ConcurrentChange, ServiceUnavailable
from corrigo.intake import new_request
from corrigo.lifecycle import Action, Status
from corrigo.mail import ParsedMail, extract_fields, parse_mail
from corrigo.mail.config import MailSettings
from corrigo.mail.decisions import Kind, auto_reply_blockers, classify, guess_language, with_sender
from corrigo.mail.limits import Budget, TooCostlyToRead
from corrigo.mail.notification import Notification, domain_of, idempotency_keys
from corrigo.mail_origin import MailOrigin
from corrigo.model import CorrectionRequest
from corrigo.validation import validate
from observability import logger
from services.intake import REFERENCE_ATTEMPTS, IntakeService
from services.mail_attachments import ACTOR, MailDesk, keep_attachments, origin_of, source_of
from services.mail_replies import Handled, MailReplies, RequesterAnswer
from services.ports import Clock, MailMarkers, NewId, RawMail, Requests
from services.promises import Promises

QUARANTINE_FLAG = "mail_quarantined"


class MailIntakeService:
    def __init__(
        self,
        settings: Settings,
        mail: MailSettings,
        requests: Requests,
        markers: MailMarkers,
        store: RawMail,
        intake: IntakeService,
        new_id: NewId,
        clock: Clock,
        answer_requester: RequesterAnswer | None = None,
    ) -> None:
        sender, intake_address = parseaddr(settings.sender_address)[1], parseaddr(settings.intake_address)[1]
        own_addresses = tuple(a.lower() for a in (sender, intake_address) if a)
        self.desk = MailDesk(
            settings, mail, requests, markers, store, intake, Promises(new_id, clock), clock, own_addresses
        )
        self.own_domains = tuple(dict.fromkeys(domain_of(a) for a in own_addresses))
        self.replies = MailReplies(self.desk, answer_requester)

    # ---- the one entry point, and the one place errors are mapped ------------------------------------

    def handle(self, notification: Notification, seconds_left: float | None = None) -> Handled:
        """Take one received mail. Raises only what a retry may cure (ServiceUnavailable, a concurrent
        change, a raw message not readable yet): the SQS record is then retried, and after
        maxReceiveCount it waits in the dead-letter queue with the raw mail still in S3.

        Reading the mail may take the limits' time budget, or ``seconds_left`` (what the invocation
        has left) if less: a mail that needs more is quarantined as too costly to read, so that it
        never makes the invocation time out and take its batch neighbours down with it."""
        budget = Budget(
            min(self.desk.mail.limits.read_budget_seconds, float("inf") if seconds_left is None else seconds_left)
        )
        seen = self.desk.markers.seen(idempotency_keys(notification, None))
        if seen is not None:
            return self._repeat(seen.reference, notification)
        raw = self.desk.store.get(notification.key, notification.bucket)
        mail: ParsedMail | None = None
        keys = idempotency_keys(notification, None)
        try:
            mail = parse_mail(raw, self.desk.mail.limits)
            budget.check("reading the fields")
            keys = idempotency_keys(notification, mail)
            seen = self.desk.markers.seen(keys[1:])
            if seen is not None:  # the same message again, under another object key
                self.desk.markers.remember(keys[:1], seen.reference)
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
            return self._quarantine(notification, mail, keys, reason, data={}, attachments=False)

    def _route(self, notification: Notification, mail: ParsedMail, keys: list[str], budget: Budget) -> Handled:
        found = classify(mail, self.own_domains)
        if found.kind is Kind.UNREADABLE or found.kind is Kind.STRAY_BOUNCE:
            return self._quarantine(notification, mail, keys, found.reason, data=with_sender({}, mail.from_address))
        assert found.reference is not None or found.kind is Kind.NEW
        if found.kind is Kind.BOUNCE:
            request = self.desk.requests.get(str(found.reference))
            if request is None:
                reason = f"a delivery report about {found.reference}, which does not exist"
                return self._quarantine(notification, mail, keys, reason, data={})
            return self.replies.bounce(mail, request, keys)
        if found.kind is Kind.REPLY:
            request = self.desk.requests.get(str(found.reference))
            if request is not None:
                return self.replies.reply(notification, mail, request, keys)
            # A reference we never issued (a typo, an old mail): read it as a new request.
        return self._new(notification, mail, keys, budget)

    # ---- new mail ---------------------------------------------------------------------------------

    def _new(self, notification: Notification, mail: ParsedMail, keys: list[str], budget: Budget) -> Handled:
        extraction = extract_fields(mail, self.desk.mail.limits, budget)
        data = with_sender(extraction.data, mail.from_address)
        data.setdefault("language", guess_language(mail.subject, mail.text))
        language = str(data["language"])
        blockers = auto_reply_blockers(mail, own_addresses=self.desk.own_addresses, verdicts=notification.verdicts)
        attachments = self._keep_attachments(notification, mail)
        origin = origin_of(notification, mail, extracted=extraction.source, notes=extraction.notes)
        if blockers:
            # Nobody wrote it to us by hand, or SES found it to be spam or a virus: editors decide.
            reason = "automatic or flagged mail: " + "; ".join(blockers)
            return self._quarantine(notification, mail, keys, reason, data=data, origin=origin, attachments=attachments)
        if extraction.cut_short:
            # The time budget ran out: editors get the fields read so far and the raw mail.
            reason = extraction.cut_short
            return self._quarantine(notification, mail, keys, reason, data=data, origin=origin, attachments=attachments)
        checked = validate(data, domains=self.desk.settings.site_domains, language=language)
        if checked.ok:
            request, created = self._create(checked.data, origin, attachments, keys)
            if not created:
                return self._repeat(request.reference, notification)
            self.desk.intake.enqueue(request.reference)
            return Handled("created", request.reference, request.status.value)
        missing = [e.field for e in checked.errors]
        may_reply, why_not = self._may_auto_reply(mail, blockers)
        request, created = self._create(
            checked.data,
            replace(origin, auto_reply=may_reply, auto_reply_blocked=why_not),
            attachments,
            keys,
            action=Action.MARK_INCOMPLETE,
            detail="missing or invalid: " + ", ".join(missing),
            tell_incomplete=may_reply,
        )
        if not created:
            return self._repeat(request.reference, notification)
        return Handled("created", request.reference, request.status.value, auto_reply=may_reply)

    # ---- quarantine ---------------------------------------------------------------------------------

    def _quarantine(
        self,
        notification: Notification,
        mail: ParsedMail | None,
        keys: list[str],
        reason: str,
        *,
        data: dict[str, Any],
        origin: MailOrigin | None = None,
        attachments: dict[str, Any] | bool = True,
    ) -> Handled:
        """A request editors see in quarantine, with the reason and the raw mail's location; no reply.
        ``attachments``: those already kept, or whether to keep them now (not when storing them may
        be what failed)."""
        if attachments is True:
            attachments = self._keep_attachments(notification, mail) if mail is not None else {}
        kept = attachments if isinstance(attachments, dict) else {}
        origin = replace(origin or origin_of(notification, mail), quarantine_reason=reason)
        if data:
            language = str(data.get("language") or "zh")
            data = validate(data, domains=self.desk.settings.site_domains, language=language).data
        request, created = self._create(
            data, origin, kept, keys, action=Action.SCREEN_QUARANTINE, detail=reason, flags=(QUARANTINE_FLAG,)
        )
        if not created:
            return self._repeat(request.reference, notification)
        logger.info("mail quarantined", extra={"reference": request.reference, "reason": reason[:200]})
        return Handled("quarantined", request.reference, request.status.value)

    # ---- shared steps ----------------------------------------------------------------------------------

    def _create(
        self,
        data: dict[str, Any],
        origin: MailOrigin,
        attachments: dict[str, Any],
        keys: Sequence[str],
        *,
        action: Action | None = None,
        detail: str = "",
        flags: tuple[str, ...] = (),
        tell_incomplete: bool = False,
    ) -> tuple[CorrectionRequest, bool]:
        """Store a request made from this mail, once: (the request, True), or the one an earlier
        delivery of the same mail created and False. ``action`` moves it on from `received` in the
        same write (MARK_INCOMPLETE, SCREEN_QUARANTINE), so the history shows both steps; so does
        the incomplete notice, when ``tell_incomplete``."""
        authenticated = str(origin.from_address or "") if origin.authenticated else ""
        contact = new_contact(str(data.get("requester_email", "")), authenticated_from=authenticated)
        source = {**source_of(origin, attachments), SOURCE_KEY: contact.as_dict()}
        for _ in range(REFERENCE_ATTEMPTS):
            now = self.desk.clock()
            new = new_request(data, channel="email", now=now, deadlines=self.desk.settings.deadlines, source=source)
            request, events = replace(new.request, flags=(*new.request.flags, *flags)), [new.event]
            if action is not None:
                # A millisecond later, so that the history (sorted by time) lists the submission first.
                request, event = request.move(action, actor=ACTOR, at=now + timedelta(milliseconds=1), detail=detail)
                events.append(event)
            told = [self.replies.incomplete_notice(request, keys[0])] if tell_incomplete else []
            try:
                self.desk.requests.create(request, events, mail_keys=keys, outbox=told)
            except ReferenceTaken:
                continue
            except ExistingSubmission as first:
                existing = self.desk.requests.get(first.reference)
                if existing is None:
                    raise ConcurrentChange(f"{first.reference} vanished") from first
                return existing, False
            return request, True
        raise ServiceUnavailable("could not draw a free reference")

    def _repeat(self, reference: str, notification: Notification) -> Handled:
        """A mail handled before: repeat only what its first delivery may not have finished (its
        notice, if any, was written with the request, and the outbox sends it)."""
        request = self.desk.requests.get(reference)
        if request is None:
            return Handled("ignored", reference)
        if request.status is Status.RECEIVED:
            self.desk.intake.enqueue(reference)  # the worker ignores a request it has already queued
        return Handled("repeated", reference, request.status.value)

    @staticmethod
    def _may_auto_reply(mail: ParsedMail, blockers: Sequence[str]) -> tuple[bool, str]:
        """No reply to robots. The daily cap per address (so that even a robot that looks like a person
        cannot keep a conversation with us going) is the Notifier's, shared by every channel."""
        if blockers:
            return False, "; ".join(blockers)
        return True, ""

    def _keep_attachments(self, notification: Notification, mail: ParsedMail) -> dict[str, Any]:
        return keep_attachments(self.desk.store, self.desk.mail, notification, mail)
