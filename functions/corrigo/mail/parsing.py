"""Read a raw email into plain facts: who, what, the best text body, attachments, loop signals.

``parse_mail`` never raises: mail comes from anyone, and a message that cannot be read still has
to be stored, answered or set aside. What went wrong is listed in ``ParsedMail.problems``.

The stdlib parser runs with the ``compat32`` policy, and this module decodes headers and bodies
itself with the charset fallbacks Chinese mail needs (see ``charsets``). Measured on the 19
real-world mails in tests/fixtures, ``policy.default`` loses characters to U+FFFD in 6 of them
(GB2312 labels over GBK bytes, undeclared 8-bit text) and its ``get_content()`` raises KeyError
on the two reports whose inner multipart has no boundary; ``compat32`` keeps every header raw
(8-bit bytes as surrogates) so nothing is lost before we decode it.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from corrigo.mail.charsets import decode_bytes, decode_encoded_words, decode_raw_header, undo_surrogates
from corrigo.mail.htmltext import html_to_text
from corrigo.mail.limits import ReadLimits, cut
from corrigo.mail.parsed import Attachment, ParsedMail, is_bounce_sender

__all__ = ["parse_mail"]

# Text, HTML and header values are cut to ReadLimits before any regular expression sees them
# (the whole message stays in the raw-mail bucket).
DEFAULT_LIMITS = ReadLimits()

# Forwards of forwards are real; a thousand levels deep is an attack on the parser.
MAX_NESTING = 5

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r?\n[ \t]*")
# A filename parameter as written, 8-bit bytes and all (the stdlib replaced them with U+FFFD).
_RAW_PARAMETERS = {
    parameter: re.compile(rf'(?:^|;)\s*{parameter}\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)
    for parameter in ("filename", "name")
}
_REPORT_HEADER_TYPES = {"text/rfc822-headers", "message/rfc822-headers"}
# [ \t], not \s, before the name: with MULTILINE every line start is tried anyway, and \s* would
# run over every following blank line from each of them (quadratic in a run of line breaks).
_RETURNED_MESSAGE_ID = re.compile(r"^[ \t]*+Message-ID[ \t]*+:\s*+<([^<>\s]++)>", re.IGNORECASE | re.MULTILINE)


def parse_mail(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ParsedMail:
    """Parse a raw RFC 5322 message, reading no more than ``limits`` allow; never raises."""
    if isinstance(raw, str):  # tolerate a caller that already decoded
        raw = raw.encode("utf-8", errors="surrogateescape")
    try:
        # Leading blank lines would make the parser take the whole mail for a body.
        message = email.message_from_bytes(raw.lstrip(b"\r\n"), policy=compat32)
    except Exception as exc:  # the contract is "never raise"
        return ParsedMail(problems=(f"unparseable message: {type(exc).__name__}: {exc}",))
    return _parse_message(message, depth=0, limits=limits)


def _parse_message(message: Message, depth: int, limits: ReadLimits) -> ParsedMail:
    try:
        return _MailReader(message, depth, limits).read()
    except Exception as exc:  # keep what a bug in one part would otherwise lose
        headers = _safe_headers(message, limits.max_header_chars)
        return ParsedMail(
            headers=headers,
            subject=next((value for name, value in headers if name.lower() == "subject"), ""),
            problems=(f"could not read the message: {type(exc).__name__}: {exc}",),
        )


def _safe_headers(message: Message, limit: int) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((name, decode_raw_header(cut(str(value), limit))) for name, value in message.raw_items())
    except Exception:
        return ()


# --- headers -----------------------------------------------------------------------------------


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _MESSAGE_ID.findall(value)
    return tuple(found) if found else tuple(value.split())


def _addresses(raw_values: Iterable[str]) -> list[tuple[str, str]]:
    """(name, address) pairs; names decoded after splitting, so a comma inside a name stays there."""
    unfolded = [_FOLD.sub(" ", undo_surrogates(value)) for value in raw_values]
    pairs = []
    for name, address in getaddresses(unfolded):
        if address or name:
            pairs.append((decode_encoded_words(name).strip(), address.strip()))
    return pairs


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _raw_values(message: Message, name: str, limit: int = DEFAULT_LIMITS.max_header_chars) -> list[str]:
    """A header's values as parsed (``get_all`` would wrap 8-bit values in Header objects), each cut
    to ``limit`` characters."""
    wanted = name.lower()
    return [cut(str(value), limit) for key, value in message.raw_items() if key.lower() == wanted]


def _first_charset(message: Message) -> str | None:
    """The first declared text charset: the best hint for undeclared 8-bit headers."""
    for part in message.walk():
        charset = part.get_content_charset()
        if charset:
            return charset
    return None


# --- bodies ------------------------------------------------------------------------------------


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep the raw bytes
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("ascii", errors="surrogateescape") if isinstance(payload, str) else b""


def _unflow(text: str, delete_space: bool) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    lines: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            carry += line[:-1] if delete_space else line
            continue
        lines.append(carry + line)
        carry = ""
    if carry:
        lines.append(carry)
    return "\n".join(lines)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:  # a broken RFC 2231 parameter
        name = ""
    if not isinstance(name, str):  # get_param may give an RFC 2231 triple
        name = email.utils.collapse_rfc2231_value(name)
    if "\ufffd" in name:
        # The stdlib replaced raw 8-bit bytes (an unencoded non-ASCII name); read the raw header.
        name = _raw_parameter(part, "Content-Disposition", "filename") or _raw_parameter(part, "Content-Type", "name")
    return decode_raw_header(name) if name else ""


def _raw_parameter(part: Message, header: str, parameter: str) -> str:
    pattern = _RAW_PARAMETERS[parameter]
    for value in _raw_values(part, header):
        found = pattern.search(value)
        if found:
            return found.group(1) if found.group(1) is not None else found.group(2)
    return ""


@dataclass
class _MailReader:
    """Walks one message's MIME tree once, sorting parts into body, attachments and reports."""

    message: Message
    depth: int
    limits: ReadLimits
    plain_parts: list[str] = field(default_factory=list)
    html_parts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[ParsedMail] = field(default_factory=list)
    bounced_recipients: list[str] = field(default_factory=list)
    returned_message_id: str | None = None
    has_delivery_status: bool = False
    problems: list[str] = field(default_factory=list)

    def read(self) -> ParsedMail:
        hint = _first_charset(self.message)
        limit = self.limits.max_header_chars
        headers = tuple(
            (name, decode_raw_header(cut(str(value), limit), hint)) for name, value in self.message.raw_items()
        )

        def first(name: str) -> str | None:
            return next((value for key, value in headers if key.lower() == name), None)

        self._walk(self.message)
        senders = self._addresses("From")
        from_name, from_address = senders[0] if senders else ("", "")
        reply_to = self._addresses("Reply-To")
        text = self._text()
        html = self._html()
        if not text.strip() and html:
            text = cut(html_to_text(html), self.limits.max_text_chars)
        is_bounce = self._is_bounce(from_address)
        return ParsedMail(
            message_id=next(iter(_message_ids(first("message-id"))), None),
            in_reply_to=next(iter(_message_ids(first("in-reply-to"))), None),
            references=_message_ids(first("references")),
            subject=first("subject") or "",
            from_address=from_address or None,
            from_name=from_name,
            reply_to=reply_to[0][1] if reply_to and reply_to[0][1] else None,
            to=tuple(address for _, address in self._addresses("To") if address),
            cc=tuple(address for _, address in self._addresses("Cc") if address),
            date=_parse_date(first("date")),
            headers=headers,
            text=text.strip(),
            html=html,
            attachments=tuple(self.attachments),
            forwarded=tuple(self.forwarded),
            auto_submitted=first("auto-submitted"),
            precedence=first("precedence"),
            list_id=first("list-id"),
            is_bounce=is_bounce,
            bounced_recipients=self._bounced_recipients(first("x-failed-recipients")) if is_bounce else (),
            bounced_message_id=self._bounced_message_id(text) if is_bounce else None,
            problems=tuple(dict.fromkeys(self.problems + self._defects())),
        )

    def _addresses(self, header: str) -> list[tuple[str, str]]:
        return _addresses(_raw_values(self.message, header, self.limits.max_header_chars))

    def _text(self) -> str:
        text = "\n\n".join(part for part in self.plain_parts if part.strip())
        if len(text) > self.limits.max_text_chars:
            self.problems.append(f"text of {len(text)} characters: the first {self.limits.max_text_chars} read")
        return cut(text, self.limits.max_text_chars)

    def _html(self) -> str:
        html = "\n".join(self.html_parts)
        if len(html) > self.limits.max_html_chars:
            self.problems.append(f"HTML of {len(html)} characters: the first {self.limits.max_html_chars} read")
        return cut(html, self.limits.max_html_chars)

    # -- the tree -------------------------------------------------------------------------------

    def _walk(self, part: Message) -> None:
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            self._forwarded(part)
        elif content_type == "message/delivery-status":
            self.has_delivery_status = True
            self._delivery_status(part)
        elif content_type in _REPORT_HEADER_TYPES:
            self._returned_headers(part)
        elif isinstance(part.get_payload(), list):
            for child in part.get_payload():
                if isinstance(child, Message):
                    self._walk(child)
        elif part.get_content_maintype() == "multipart":
            # No boundary found: the parser kept the body as text; better read than lost.
            self._leaf(part, "text/plain")
        else:
            self._leaf(part, content_type)

    def _leaf(self, part: Message, content_type: str) -> None:
        data = _payload_bytes(part)
        filename = _filename(part)
        disposition = part.get_content_disposition()
        if filename or disposition == "attachment" or not content_type.startswith("text/"):
            self.attachments.append(Attachment(filename=filename, content_type=content_type, data=data))
            return
        text = decode_bytes(data, part.get_content_charset()).replace("\r\n", "\n")
        if content_type == "text/html":
            self.html_parts.append(text)
        elif content_type == "text/plain":
            if str(part.get_param("format") or "").lower() == "flowed":
                text = _unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
            self.plain_parts.append(text)
        else:
            self.attachments.append(Attachment(filename=filename, content_type=content_type, data=data))

    def _forwarded(self, part: Message) -> None:
        if self.depth >= MAX_NESTING:
            self.problems.append("forwarded messages nested too deep; inner ones ignored")
            return
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
        else:  # a base64 or quoted-printable message/rfc822, which the parser leaves as text
            inner = email.message_from_bytes(_payload_bytes(part), policy=compat32)
        self.forwarded.append(_parse_message(inner, self.depth + 1, self.limits))

    # -- delivery reports -----------------------------------------------------------------------

    def _delivery_status(self, part: Message) -> None:
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else [email.message_from_bytes(_payload_bytes(part))]
        for block in blocks:
            if not isinstance(block, Message):
                continue
            action = (block.get("Action") or "failed").strip().lower()
            if action in ("delivered", "relayed", "expanded"):
                continue
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
            if recipient:
                self.bounced_recipients.append(str(recipient).split(";", 1)[-1].strip().strip("<>"))

    def _returned_headers(self, part: Message) -> None:
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            ids = _message_ids(" ".join(_raw_values(payload[0], "Message-ID")))
            self.returned_message_id = next(iter(ids), None)
            return
        found = _RETURNED_MESSAGE_ID.search(cut(decode_bytes(_payload_bytes(part)), self.limits.max_text_chars))
        if found:
            self.returned_message_id = found.group(1)

    def _is_bounce(self, from_address: str) -> bool:
        report_type = str(self.message.get_param("report-type") or "").lower()
        is_delivery_report = self.message.get_content_type() == "multipart/report" and report_type in (
            "delivery-status",
            "",
        )
        return is_delivery_report or self.has_delivery_status or is_bounce_sender(from_address)

    def _bounced_recipients(self, failed_recipients_header: str | None) -> tuple[str, ...]:
        recipients = list(self.bounced_recipients)
        if failed_recipients_header:  # Exim says it in a header
            recipients += [address for _, address in getaddresses([failed_recipients_header]) if address]
        return tuple(dict.fromkeys(recipients))

    def _bounced_message_id(self, text: str) -> str | None:
        if self.returned_message_id:
            return self.returned_message_id
        for returned in self.forwarded:
            if returned.message_id:
                return returned.message_id
        found = _RETURNED_MESSAGE_ID.search(text)  # a plain-text bounce quoting the headers
        return found.group(1) if found else None

    def _defects(self) -> list[str]:
        names = []
        for part in self.message.walk():
            names += [type(defect).__name__ for defect in getattr(part, "defects", [])]
        return names
