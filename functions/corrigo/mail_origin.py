"""Where a request made from mail came from: the typed form of its ``source["mail"]``.

Editors and screening read it (the raw mail's place in S3, SES's verdicts, what the parser noticed);
mail intake decides with it (whether it may answer, why it held the mail). Stored as a plain map
under the request's ``source``; the keys are the stored layout (docs/architecture.md, "Data").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

SOURCE_KEY = "mail"
# Attribute name → stored key, where they differ ("from" is a Python keyword).
_STORED = {"from_address": "from"}


@dataclass(frozen=True)
class MailOrigin:
    bucket: str
    key: str
    ses_message_id: str = ""
    verdicts: Mapping[str, Any] = field(default_factory=dict)
    extracted_from: str = "none"
    notes: tuple[str, ...] = ()
    # Known once the mail was parsed (None: it could not be).
    message_id: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    subject: str | None = None
    problems: tuple[str, ...] | None = None
    forwarded: bool | None = None
    # SES vouches for the From address (issue 9): it may be sent the text it wrote.
    authenticated: bool | None = None
    # Decided later: whether the sender may get an automatic answer, and why a mail was held.
    auto_reply: bool | None = None
    auto_reply_blocked: str | None = None
    quarantine_reason: str | None = None

    @property
    def object_occasion(self) -> str:
        """The occasion of the mail answering this one (``object:<bucket>/<key>``, one per mail)."""
        return f"object:{self.bucket}/{self.key}"

    def as_dict(self) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            stored[_STORED.get(spec.name, spec.name)] = value
        return stored

    @classmethod
    def from_source(cls, source: Mapping[str, Any]) -> MailOrigin | None:
        stored = source.get(SOURCE_KEY)
        if not isinstance(stored, Mapping):
            return None
        known: dict[str, Any] = {}
        for spec in fields(cls):
            name = _STORED.get(spec.name, spec.name)
            if name in stored:
                value = stored[name]
                known[spec.name] = tuple(value) if isinstance(value, list) else value
        known.setdefault("bucket", "")
        known.setdefault("key", "")
        return cls(**known)
