"""Every email the service sent through SES, and every text message through SNS (issue 12), read
from moto's in-process backends.

moto records a raw send (ses v1 `send_raw_email`, sesv2 `send_email` with Content.Raw) as a
RawMessage holding the MIME text, and a simple send as a Message holding subject and one body (the
HTML one when both were given). It records no time, so the outbox stamps each message when it first
sees it, right after the SES request that created it (see `note_request`).
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID

from . import moto_state
from .template import REGION

# Decoded emails kept for the next read: the newest, which a test polling the outbox looks for.
# Older ones are decoded again on each read (moto keeps their MIME text): kept all, 10,000 sends
# held ~60 MB of decoded copies for as long as the stack ran (docs/operations.md, "Local stack").
DESCRIBED_KEPT = 1_000


class Outbox:
    """moto only appends to its list of sent messages (a restore prepends before any traffic), so the
    outbox remembers how far it has looked and describes each of the newest DESCRIBED_KEPT messages
    once: polling it costs in proportion to the new messages, not to everything sent so far."""

    def __init__(self, serialised: Callable[[], AbstractContextManager[None]]) -> None:
        self._serialised = serialised  # holds moto still while its lists are read
        self._first_seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._seen_count = 0  # how many of moto's sent messages have been stamped
        self._described: dict[str, tuple[Any, dict[str, Any]]] = {}  # id -> (moto's message, description)

    def note_request(self, environ: dict[str, Any]) -> None:
        """Moto request listener: stamp messages that an SES request has just recorded."""
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if "/ses/" in authorization or "/email/" in authorization:
            self._stamp(time.time())
        if "/sns/" in authorization:  # a text message (SNS Publish to a phone number): issue 12
            now = time.time()
            for message_id in list(_sms_messages()):
                self._first_seen.setdefault(f"sms:{message_id}", now)

    def _stamp(self, now: float) -> None:
        with self._lock:
            messages = self._sent_messages()
            if len(messages) < self._seen_count:  # the list was replaced (moto reset): look again
                self._seen_count = 0
            for message in messages[self._seen_count :]:
                self._first_seen.setdefault(moto_state.ses_message_id(message), now)
            self._seen_count = len(messages)

    def emails(self, after: int | None = None) -> list[dict[str, Any]]:
        """Sent emails (``"channel": "email"``) and text messages (``"channel": "sms"``, ``to``, ``text``),
        oldest first, decoded for people and tests to read. Each email has its ``position`` in the
        order sent; ``after`` (a position, or -1) gives only the emails past it and no text messages,
        so a reader of thousands of emails decodes each once, reading on from the last it saw."""
        with self._serialised():
            messages = list(self._sent_messages())
            texts = list(_sms_messages().items()) if after is None else []
        now = time.time()
        self._stamp(now)  # anything sent around the listener (it never should) still gets a time
        kept_from = len(messages) - DESCRIBED_KEPT
        first = 0 if after is None else max(0, after + 1)
        mails = [
            {**self._described_once(message, keep=index >= kept_from), "channel": "email", "position": index}
            for index, message in enumerate(messages[first:], start=first)
        ]
        sms = [
            {
                "channel": "sms",
                "id": message_id,
                "timestamp": _iso(self._first_seen.setdefault(f"sms:{message_id}", now)),
                "to": phone,
                "text": text,
            }
            for message_id, (phone, text) in texts
        ]
        return sorted(mails + sms, key=lambda entry: str(entry["timestamp"])) if sms else mails

    @staticmethod
    def _sent_messages() -> list[Any]:
        return moto_state.ses_backend().sent_messages  # type: ignore[no-any-return]

    def _described_once(self, message: Any, *, keep: bool) -> dict[str, Any]:
        message_id = moto_state.ses_message_id(message)
        cached = self._described.get(message_id)
        if cached is not None and cached[0] is message:
            return cached[1]
        described = self._describe(message)
        if keep:
            self._described[message_id] = (message, described)
            while len(self._described) > DESCRIBED_KEPT:  # the oldest were described first
                del self._described[next(iter(self._described))]
        return described

    def _describe(self, message: Any) -> dict[str, Any]:
        message_id = moto_state.ses_message_id(message)
        stamped = datetime.fromtimestamp(self._first_seen.get(message_id, time.time()), UTC)
        described: dict[str, Any] = {"id": message_id, "timestamp": stamped.isoformat(timespec="milliseconds")}
        if hasattr(message, "raw_data"):
            described.update(describe_raw(message.raw_data))
            described["destinations"] = [address for _, address in getaddresses(message.destinations)]
            if not described["from"]:
                described["from"] = message.source
        else:
            described.update(_describe_simple(message))
        return described


def _sms_messages() -> dict[str, tuple[str, str]]:
    """moto's record of SNS Publish to a phone number: message id -> (number, text), in order."""
    from moto.sns.models import sns_backends

    return sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages  # type: ignore[no-any-return]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def describe_raw(raw: str) -> dict[str, Any]:
    # moto decoded the sent bytes as UTF-8; parse bytes again, since the email package mis-decodes
    # 8bit parts of a message parsed from str (it re-encodes them as raw-unicode-escape).
    parsed = email.message_from_bytes(raw.encode("utf-8", errors="surrogateescape"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)  # the default policy builds EmailMessage objects
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    attachments = [
        {"filename": part.get_filename(), "content_type": part.get_content_type()} for part in parsed.iter_attachments()
    ]
    return {
        "to": _addresses(parsed, "to"),
        "cc": _addresses(parsed, "cc"),
        "from": str(parsed.get("from", "")),
        "subject": str(parsed.get("subject", "")),
        "text": text_part.get_content() if text_part is not None else None,
        "html": html_part.get_content() if html_part is not None else None,
        "headers": {name: str(value) for name, value in reversed(parsed.items())},  # first one wins
        "attachments": attachments,
        "raw": raw,
    }


def _addresses(message: EmailMessage, header: str) -> list[str]:
    return [address for _, address in getaddresses([str(value) for value in message.get_all(header, [])])]


def _describe_simple(message: Any) -> dict[str, Any]:
    destinations = getattr(message, "destinations", {}) or {}
    body = getattr(message, "body", None)
    # moto keeps only one body of a simple send, the HTML one when there was HTML.
    looks_html = isinstance(body, str) and body.lstrip().startswith("<")
    return {
        "to": list(destinations.get("ToAddresses", [])) if isinstance(destinations, dict) else [],
        "cc": list(destinations.get("CcAddresses", [])) if isinstance(destinations, dict) else [],
        "from": message.source,
        "subject": getattr(message, "subject", None) or getattr(message, "template", ""),
        "text": None if looks_html else body,
        "html": body if looks_html else None,
        "headers": {},
        "attachments": [],
        "raw": None,
    }
