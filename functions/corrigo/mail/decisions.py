"""What to do with a mail that reached the contact mailbox: pure decisions, no AWS, no clock.

The mail-intake service (services/mail_intake.py) reads SES's notification (``notification``),
fetches the raw message and then asks this module: what kind of mail is it (a bounce of ours, a
reply to a reference, a new request, unreadable), may we answer it automatically, which
attachments do we keep, what is missing. Each answer is a plain function of its inputs so that every rule is unit-tested.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The daily counter window, the cap and address comparison live with the rest of "who gets mail"
# (corrigo.contact, used by every channel); re-exported for the mail rules that always used them.
from corrigo.contact import CounterWindow as CounterWindow
from corrigo.contact import counter_window as counter_window
from corrigo.contact import same_address as same_address
from corrigo.contact import within_cap as within_cap
from corrigo.lifecycle import Status
from corrigo.mail.notification import Verdicts
from corrigo.mail.parsed import Attachment, ParsedMail
from corrigo.references import REFERENCE_ALPHABET, find_reference
from corrigo.schema import fields, fields_by_name
from corrigo.validation import validate

# ---- Kinds of mail -------------------------------------------------------------------------------------

# Our own Message-IDs: <CR-2026-ABCDEF.incomplete.1a2b3c4d5e6f@news.example.cn> (notifications.compose).
_OUR_MESSAGE_ID = re.compile(rf"^(CR-\d{{4}}-[{REFERENCE_ALPHABET}]{{6}})\.[a-z_]+\.[0-9a-f]+@(.+)$", re.IGNORECASE)


class Kind(StrEnum):
    UNREADABLE = "unreadable"
    BOUNCE = "bounce"  # a delivery report about mail we sent
    STRAY_BOUNCE = "stray_bounce"  # a delivery report about something else (backscatter)
    REPLY = "reply"  # names one of our references
    NEW = "new"


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reference: str | None = None
    reason: str = ""


def reference_of_message_id(message_id: str | None, own_domains: Iterable[str]) -> str | None:
    """The reference inside one of our Message-IDs; None for anybody else's (even if it looks like ours)."""
    match = _OUR_MESSAGE_ID.match((message_id or "").strip().strip("<>"))
    if not match or match.group(2).lower() not in {d.lower() for d in own_domains}:
        return None
    return match.group(1).upper()


def is_bounce(mail: ParsedMail) -> bool:
    return mail.is_delivery_report


def bounced_reference(mail: ParsedMail, own_domains: Iterable[str]) -> str | None:
    """Which request a bounce is about: the returned Message-ID if it is ours, else a reference the
    report quotes (our subject carries it, and most reports quote the subject or the headers)."""
    domains = tuple(own_domains)
    found = reference_of_message_id(mail.bounced_message_id, domains)
    if found:
        return found
    for returned in mail.forwarded:
        found = reference_of_message_id(returned.message_id, domains) or find_reference(returned.subject)
        if found:
            return found
    return find_reference(mail.subject) or find_reference(mail.text[:20_000])


def replied_reference(mail: ParsedMail, own_domains: Iterable[str]) -> str | None:
    """The request a reply is about: In-Reply-To/References naming one of our Message-IDs (clients keep
    these even when people edit the subject), else a reference in the subject."""
    domains = tuple(own_domains)
    for message_id in (mail.in_reply_to, *reversed(mail.references)):
        found = reference_of_message_id(message_id, domains)
        if found:
            return found
    return find_reference(mail.subject)


def is_unreadable(mail: ParsedMail) -> str | None:
    """Why a mail cannot be read at all (so it goes to editors as `quarantined`), or None."""
    fatal = [p for p in mail.problems if p.startswith("unparseable")]
    if fatal:
        return fatal[0]
    if not mail.headers:
        return "no headers could be read"
    if not mail.from_address and not mail.text.strip() and not mail.attachments and not mail.forwarded:
        return "no sender and no content"
    return None


def classify(mail: ParsedMail, own_domains: Iterable[str]) -> Classification:
    domains = tuple(own_domains)
    unreadable = is_unreadable(mail)
    if unreadable:
        return Classification(Kind.UNREADABLE, reason=unreadable)
    if is_bounce(mail):
        reference = bounced_reference(mail, domains)
        if reference:
            return Classification(Kind.BOUNCE, reference)
        return Classification(Kind.STRAY_BOUNCE, reason="a delivery report about no mail of ours")
    reference = replied_reference(mail, domains)
    if reference:
        return Classification(Kind.REPLY, reference)
    return Classification(Kind.NEW)


# ---- Loop protection -----------------------------------------------------------------------------------


def auto_reply_blockers(
    mail: ParsedMail, *, own_addresses: Iterable[str], verdicts: Verdicts | None = None
) -> tuple[str, ...]:
    """Every reason not to answer this mail automatically; empty when we may.

    Answering a robot makes two robots answer each other forever (RFC 3834): so no reply to mail no
    person wrote (the one rule, ``ParsedMail.automatic_reasons``), to our own addresses, or to a mail
    SES found to be spam or a virus.
    """
    reasons = list(mail.automatic_reasons())
    sender = (mail.from_address or "").lower()
    if not sender or "@" not in sender:
        reasons.append("no sender address")
    elif sender in {a.lower() for a in own_addresses}:
        reasons.append("our own address")
    if verdicts is not None:
        reasons += [f"SES {name} verdict FAIL" for name in verdicts.failed() if name in ("spam", "virus")]
    return tuple(reasons)


# ---- Replies to a request --------------------------------------------------------------------------------


class ReplyPlan(StrEnum):
    COMPLETE = "complete"  # an incomplete request: merge the new fields and check again
    ANSWER = "answer"  # the editor asked: the review service takes the answer
    RECORD = "record"  # anything else: keep the mail in the request's history for editors


def reply_plan(status: Status, *, from_requester: bool, automatic: bool) -> ReplyPlan:
    """An automatic mail (an out-of-office) never changes a request; only the requester answers a question."""
    if automatic:
        return ReplyPlan.RECORD
    if status is Status.INCOMPLETE:
        return ReplyPlan.COMPLETE
    if status is Status.AWAITING_REQUESTER and from_requester:
        return ReplyPlan.ANSWER
    return ReplyPlan.RECORD


def merge_fields(existing: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A reply's values win over what the request held: people reply to correct or complete it.
    Blank new values never erase a stored one."""
    merged = dict(existing)
    for name, value in new.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        merged[name] = value
    return merged


def with_sender(data: Mapping[str, Any], sender: str | None) -> dict[str, Any]:
    """The sender's address stands in for requester_email when the form gives none."""
    result = dict(data)
    if sender and not str(result.get("requester_email") or "").strip():
        result["requester_email"] = sender
    return result


def guess_language(*texts: str) -> str:
    """zh when the mail has Chinese in it, else en: the language of the later emails."""
    for text in texts:
        for char in text[:5000]:
            if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
                return "zh"
    return "en"


def text_excerpt(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


# ---- What is missing, in both languages -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    label_zh: str
    label_en: str
    problem_zh: str
    problem_en: str


def bilingual_problems(data: Mapping[str, Any], domains: Iterable[str]) -> list[Problem]:
    """Each missing or invalid field with its Chinese and English label and problem, in schema order."""
    domain_tuple = tuple(domains)
    zh = validate(data, domains=domain_tuple, language="zh").errors
    en = {e.field: e for e in validate(data, domains=domain_tuple, language="en").errors}
    specs = fields_by_name()
    problems = []
    for error in zh:
        spec = specs.get(error.field)
        other = en.get(error.field)
        problems.append(
            Problem(
                field=error.field,
                label_zh=spec.label("zh") if spec else error.field,
                label_en=spec.label("en") if spec else error.field,
                problem_zh=error.problem,
                problem_en=other.problem if other else error.problem,
            )
        )
    return problems


def understood(data: Mapping[str, Any], limit: int = 300) -> list[tuple[str, str, str]]:
    """What we read, as (中文标签, English label, value), for the requester to check."""
    rows = []
    for spec in fields():
        if spec.honeypot or spec.name == "language" or spec.name not in data:
            continue
        value = data[spec.name]
        if spec.options:
            text = f"{spec.option_label(str(value), 'zh')} / {spec.option_label(str(value), 'en')}"
        elif spec.is_boolean:
            text = "是 / yes" if value is True else "否 / no"
        else:
            text = " ".join(str(value).split())
        rows.append((spec.label("zh"), spec.label("en"), text if len(text) <= limit else text[:limit] + "…"))
    return rows


# ---- Attachments kept as evidence --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptAttachment:
    index: int
    filename: str
    content_type: str
    size: int
    name: str  # the object name under the mail's attachment prefix


@dataclass(frozen=True)
class AttachmentPlan:
    kept: tuple[KeptAttachment, ...]
    skipped: tuple[dict[str, Any], ...]


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_filename(name: str, index: int) -> str:
    """An object name nobody can use to climb out of the prefix or smuggle a control character."""
    base = unicodedata.normalize("NFKC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip("._")[:100]
    return f"{index:02d}-{base or 'attachment'}"


def plan_attachments(attachments: Iterable[Attachment], *, max_count: int, max_bytes: int) -> AttachmentPlan:
    """Keep each attachment (any type: kept, never opened) within the count and size limits."""
    kept: list[KeptAttachment] = []
    skipped: list[dict[str, Any]] = []
    for index, attachment in enumerate(attachments):
        described = {"filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size}
        if attachment.size > max_bytes:
            skipped.append({**described, "reason": f"larger than {max_bytes} bytes"})
        elif len(kept) >= max_count:
            skipped.append({**described, "reason": f"more than {max_count} attachments"})
        else:
            kept.append(
                KeptAttachment(
                    index,
                    attachment.filename,
                    attachment.content_type,
                    attachment.size,
                    safe_filename(attachment.filename, index),
                )
            )
    return AttachmentPlan(tuple(kept), tuple(skipped))
