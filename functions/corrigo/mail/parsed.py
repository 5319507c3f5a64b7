"""A parsed mail as plain facts (who, what, the best text body, attachments), and the one rule for
telling robot mail from a person's. ``parsing.parse_mail`` builds these from raw bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")


def is_bounce_sender(address: str) -> bool:
    """mailer-daemon@… and postmaster@… speak for a mail system, never for a person."""
    return address.split("@", 1)[0].lower() in _BOUNCE_SENDERS


_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ParsedMail:
    """What a mail says, decoded. Message ids are given without their angle brackets."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    from_address: str | None = None
    from_name: str = ""
    reply_to: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()
    text: str = ""
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    forwarded: tuple[ParsedMail, ...] = ()
    auto_submitted: str | None = None
    precedence: str | None = None
    list_id: str | None = None
    is_bounce: bool = False
    bounced_recipients: tuple[str, ...] = ()
    bounced_message_id: str | None = None
    problems: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def automatic_reasons(self) -> tuple[str, ...]:
        """Why no person wrote this mail, one reason per signal; empty for a person's mail.

        The one rule for robot mail (RFC 3834): Auto-Submitted other than "no", bulk/junk/list/
        auto_reply precedence, a mailing list, a delivery report, an auto-responder's own header.
        Answering such a mail makes two robots answer each other forever; the mail decisions add
        who sent it and SES's verdicts to these reasons (``decisions.auto_reply_blockers``).
        """
        reasons: list[str] = []
        auto_submitted = (self.auto_submitted or "no").split(";")[0].strip().lower()
        if auto_submitted != "no":
            reasons.append(f"Auto-Submitted: {auto_submitted}")
        if (self.precedence or "").strip().lower() in _BULK_PRECEDENCE:
            reasons.append(f"Precedence: {self.precedence}")
        if self.list_id is not None:
            reasons.append("List-Id")
        if self.is_delivery_report:
            reasons.append("delivery report")
        reasons += [name for name in _AUTO_REPLY_HEADERS if self.header(name) is not None]
        return tuple(reasons)

    @property
    def is_delivery_report(self) -> bool:
        """A bounce: a delivery report by its structure, or mail from a bounce sender's address."""
        return self.is_bounce or is_bounce_sender(self.from_address or "")

    @property
    def is_auto_generated(self) -> bool:
        """True for mail no person wrote: never answer it, or two robots reply to each other forever."""
        return bool(self.automatic_reasons())
