"""Email intake's record of a mail: where it came from (corrigo.mail_origin) and its attachments,
stored under the mail's own prefix before the request that links them is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from corrigo.config import Settings
from corrigo.lifecycle import Action
from corrigo.mail import ParsedMail
from corrigo.mail.config import MailSettings
from corrigo.mail.decisions import AttachmentPlan, plan_attachments
from corrigo.mail.notification import Notification, sender_authenticated
from corrigo.mail_origin import MailOrigin
from services.intake import IntakeService
from services.ports import Clock, MailMarkers, RawMail, Requests
from services.promises import Promises

ACTOR = "mail-intake"  # in the audit trail


@dataclass
class MailDesk:
    """What email intake's steps share: settings, storage, the web's intake path, promises, the clock."""

    settings: Settings
    mail: MailSettings
    requests: Requests
    markers: MailMarkers
    store: RawMail
    intake: IntakeService
    promises: Promises
    clock: Clock
    own_addresses: tuple[str, ...]  # our sender and intake addresses: mail from them is never answered


NO_ATTACHMENTS: dict[str, Any] = {"attachments": [], "attachments_skipped": []}


def origin_of(
    notification: Notification, mail: ParsedMail | None, *, extracted: str = "none", notes: Sequence[str] = ()
) -> MailOrigin:
    """Where the request came from, for editors (and screening, issue 5): the raw mail's place,
    SES's verdicts, what the parser and the extractor noticed."""
    origin = MailOrigin(
        bucket=notification.bucket,
        key=notification.key,
        ses_message_id=notification.ses_message_id,
        verdicts=notification.verdicts.as_dict(),
        extracted_from=extracted,
        notes=tuple(notes)[:20],
    )
    if mail is None:
        return origin
    return replace(
        origin,
        message_id=mail.message_id or "",
        from_address=mail.from_address or "",
        from_name=mail.from_name[:200],
        subject=mail.subject[:500],
        problems=tuple(mail.problems)[:20],
        forwarded=bool(mail.forwarded),
        authenticated=sender_authenticated(notification.verdicts, mail, notification.envelope_sender),
    )


def source_of(origin: MailOrigin, attachments: dict[str, Any] | None) -> dict[str, Any]:
    """A request's ``source`` as stored: the mail's origin and the attachments kept from it."""
    return {"mail": origin.as_dict(), **(attachments or NO_ATTACHMENTS)}


def with_attachments(source: dict[str, Any], attachments: dict[str, Any]) -> dict[str, Any]:
    merged = dict(source)
    for name in ("attachments", "attachments_skipped"):
        merged[name] = [*source.get(name, []), *attachments.get(name, [])]
    return merged


def keep_attachments(
    store: RawMail, settings: MailSettings, notification: Notification, mail: ParsedMail
) -> dict[str, Any]:
    """Store the attachments (within the limits) under the mail's own prefix, before the request
    that links them is written: a retry rewrites the same keys."""
    plan: AttachmentPlan = plan_attachments(
        mail.attachments, max_count=settings.max_attachments, max_bytes=settings.max_attachment_bytes
    )
    folder = f"{settings.attachment_prefix}{notification.key.rsplit('/', 1)[-1]}/"
    kept = []
    for item in plan.kept:
        key = folder + item.name
        data = mail.attachments[item.index].data
        store.put_attachment(key, data, filename=item.filename, content_type=item.content_type)
        kept.append(
            {
                "bucket": store.bucket,
                "key": key,
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
            }
        )
    return {"attachments": kept, "attachments_skipped": list(plan.skipped)}


def link_evidence(requests: Requests, reference: str, attachments: dict[str, Any], clock: Clock) -> None:
    """Attachments of an answer to an editor's question: linked to the request like any other."""
    if not attachments["attachments"] and not attachments["attachments_skipped"]:
        return
    request = requests.get(reference)
    if request is None:
        return
    after, event = request.record(
        Action.MAIL_RECEIVED,
        actor=ACTOR,
        at=clock(),
        detail="attachments of an answer",
        source=with_attachments(request.source, attachments),
    )
    requests.save_move(request, after, event)
