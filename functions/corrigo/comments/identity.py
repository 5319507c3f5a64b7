"""Who a commenter is, without keeping their number: keyed hashes, verification codes and tokens.

后台实名、前台自愿: the commenter proves a mobile number by a code sent to it; the service keeps
an HMAC of the number (under a secret key, so the table alone cannot be searched by number, nor the
hash reversed by trying every number) and its last four digits, for the commenter's own view and the
moderators'. The commenter id is derived from the same hash, so one number is one commenter: a
penalty follows the number, however many times it is verified again.

A commenter token is signed, not stored: ``v1.<commenter>.<expires>.<signature>``; checking it needs
no read. Randomness and time come in from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

TOKEN_DAYS = 30
CODE_SECONDS = 600  # a code is good for ten minutes
CODE_ATTEMPTS = 5  # wrong codes before the code is spent
_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_phone(raw: str) -> str:
    """E.164: ``138 1234 5678`` and ``+86-13812345678`` are ``+8613812345678``. The schema has
    checked the shape already; anything else is returned as typed, with separators removed."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        return digits
    if digits.startswith("86") and len(digits) == 13:
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    return digits


def _derived(key: bytes, purpose: str) -> bytes:
    return hmac.new(key, purpose.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class Keys:
    """Sub-keys of the one CommenterHashKey secret, one per use."""

    phone: bytes
    token: bytes
    reader: bytes

    @classmethod
    def of(cls, secret: str) -> Keys:
        key = secret.encode("utf-8")
        return cls(_derived(key, "phone"), _derived(key, "token"), _derived(key, "reader"))


def phone_hash(keys: Keys, phone: str) -> str:
    return hmac.new(keys.phone, phone.encode("utf-8"), hashlib.sha256).hexdigest()


def commenter_id(hashed_phone: str) -> str:
    """Short and stable; shown to moderators, never to readers."""
    return "U" + hashed_phone[:20].upper()


def last_four(phone: str) -> str:
    return phone[-4:]


def reader_key(keys: Keys, commenter: str | None, ip: str) -> str:
    """Who a report comes from, for counting distinct readers: the commenter when signed in, else the IP."""
    who = f"commenter:{commenter}" if commenter else f"ip:{ip.strip()}"
    return hmac.new(keys.reader, who.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def new_code(random_below: int) -> str:
    """Six digits from a random number in [0, 1_000_000) the caller drew (secrets.randbelow)."""
    return f"{random_below % 1_000_000:06d}"


def code_hash(keys: Keys, phone: str, code: str) -> str:
    return hmac.new(keys.phone, f"code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(keys: Keys, phone: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(keys, phone, code), stored_hash)


def _signature(keys: Keys, payload: str) -> str:
    digest = hmac.new(keys.token, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue_token(keys: Keys, commenter: str, now: float, days: int = TOKEN_DAYS) -> str:
    payload = f"v1.{commenter}.{int(now) + days * 86400}"
    return f"{payload}.{_signature(keys, payload)}"


def token_commenter(keys: Keys, token: str | None, now: float) -> str | None:
    """The commenter a token names, if its signature holds and it has not expired; else None."""
    if not token or len(token) > 200:
        return None
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != "v1" or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(keys, payload), parts[3]):
        return None
    if int(parts[2]) <= now:
        return None
    return parts[1]


def status_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def status_token_matches(given: str | None, stored_hash: str) -> bool:
    if not given or not stored_hash:
        return False
    return hmac.compare_digest(status_token_hash(given), stored_hash)
