"""Reference numbers people can read aloud, and status tokens nobody can guess."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

# No 0/O, 1/I/L or U/V look-alikes: a reference survives being read over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PATTERN = re.compile(rf"\bCR-(\d{{4}})-([{REFERENCE_ALPHABET}]{{6}})\b")


def new_reference(now: datetime) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"CR-{now.year:04d}-{code}"


def find_reference(text: str) -> str | None:
    """The first reference in a text (a mail subject, say), upper-cased as people may not type it so."""
    match = REFERENCE_PATTERN.search(text.upper())
    return match.group(0) if match else None


def is_reference(value: str) -> bool:
    return bool(REFERENCE_PATTERN.fullmatch(value))


def new_status_token() -> str:
    return secrets.token_urlsafe(24)


def token_matches(given: str | None, stored: str | None) -> bool:
    """Constant-time comparison, so response timing says nothing about how close a guess was."""
    if not given or not stored:
        return False
    return hmac.compare_digest(given.encode("utf-8"), stored.encode("utf-8"))
