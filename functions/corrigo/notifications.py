"""The emails the service sends to requesters, composed as MIME messages (sending is an adapter's job).

Pure: the templates' renderer (web.render.render_email), the time and the Message-ID's unique part
are passed in, so the same inputs always make the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from corrigo.lifecycle import STATUS_LABELS
from corrigo.model import CorrectionRequest
from corrigo.schema import fields

SUMMARY_LIMIT = 300

# A template's name (`<kind>.<language>.txt`) and its variables → its text: "Subject: …", a blank line, the body.
EmailRenderer = Callable[..., str]


@dataclass(frozen=True)
class MailContext:
    sender_address: str
    intake_address: str
    public_base_url: str
    render: EmailRenderer


def one_line(value: str) -> str:
    """Header values never carry line breaks, whatever a requester typed (no header injection).
    An RFC 2047 encoded word (``=?utf-8?q?...=0D=0A...?=``) is defused too: the email package
    decodes one in a value it is given, and would write the line break it hides."""
    return " ".join(str(value).split()).replace("=?", "= ?")


def status_url(base_url: str, request: CorrectionRequest) -> str:
    return f"{base_url}/requests/{request.reference}?token={request.status_token}"


def summary(request: CorrectionRequest) -> list[tuple[str, str]]:
    """What we understood, field by field, in the requester's language; long texts shortened."""
    rows = []
    for spec in fields():
        if spec.honeypot or spec.name == "language" or spec.name not in request.fields:
            continue
        value = request.fields[spec.name]
        if spec.options:
            text = spec.option_label(str(value), request.language)
        elif spec.is_boolean:
            text = (
                ("是" if request.language == "zh" else "yes") if value else ("否" if request.language == "zh" else "no")
            )
        else:
            text = str(value)
        if len(text) > SUMMARY_LIMIT:
            text = text[:SUMMARY_LIMIT] + "…"
        rows.append((spec.label(request.language), text))
    return rows


def compose(
    request: CorrectionRequest,
    kind: str,
    context: MailContext,
    *,
    now: datetime,
    unique: str,
    to: str | None = None,
    auto_submitted: str = "auto-replied",
    **extra: Any,
) -> EmailMessage:
    """A message of ``kind`` (a template pair ``<kind>.<language>.txt``) about ``request``, dated
    ``now``; ``unique`` (a few random hex digits) makes its Message-ID one of a kind."""
    language = request.language
    body = context.render(
        f"{kind}.{language}.txt",
        request=request,
        summary=summary(request),
        status_url=status_url(context.public_base_url, request),
        status_label=STATUS_LABELS[request.status][language],
        form_url=f"{context.public_base_url}/?lang={language}",
        **extra,
    )
    subject, _, text = body.partition("\n")
    sender_domain = parseaddr(context.sender_address)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = one_line(context.sender_address)
    message["To"] = Address(addr_spec=one_line(to or request.requester_email))
    message["Reply-To"] = one_line(context.intake_address)
    message["Subject"] = one_line(subject.removeprefix("Subject:").strip())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{request.reference}.{kind}.{unique}@{sender_domain}>"
    message["Auto-Submitted"] = auto_submitted
    message["Content-Language"] = "zh-CN" if language == "zh" else "en"
    message["X-Corrigo-Reference"] = request.reference
    message.set_content(text.lstrip("\n"), charset="utf-8")
    return message
