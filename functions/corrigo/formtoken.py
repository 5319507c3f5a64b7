"""The form's render-time token: when the page was served, signed, so a submission can tell its age.

A person needs time to fill in thirteen fields; a bot posting the form the instant it loads (or
without loading it at all) does not. The page embeds ``<unix seconds>.<HMAC-SHA256>``; the submit
path checks the signature with the same secret and measures the age. Nothing is stored: the
secret is the only state, so every function instance agrees without a table lookup.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

FIELD_NAME = "form_token"
# A page left open over a weekend is still a person; older than this the token proves nothing.
MAX_AGE_SECONDS = 7 * 24 * 3600
_CONTEXT = b"corrigo-form-v1:"


class TokenState(StrEnum):
    VALID = "valid"
    MISSING = "missing"  # a browser form post without it: the page was not loaded from us
    INVALID = "invalid"  # forged, altered, or signed with another secret
    EXPIRED = "expired"
    NOT_APPLICABLE = "not_applicable"  # JSON clients and mail never carry one
    UNCHECKED = "unchecked"  # no secret configured: the rule is off


@dataclass(frozen=True)
class TokenCheck:
    state: TokenState
    age_seconds: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"state": self.state.value, "age_seconds": self.age_seconds}


def _signature(secret: str, issued_at: int) -> str:
    return hmac.new(secret.encode("utf-8"), _CONTEXT + str(issued_at).encode(), hashlib.sha256).hexdigest()


def issue(secret: str, now: float) -> str:
    """The token for a page rendered at ``now``; empty when no secret is configured."""
    if not secret:
        return ""
    issued_at = int(now)
    return f"{issued_at}.{_signature(secret, issued_at)}"


def check(token: object, secret: str, now: float) -> TokenCheck:
    """What a submitted token says. Compared in constant time, so timing reveals nothing of the MAC."""
    if not secret:
        return TokenCheck(TokenState.UNCHECKED)
    if not isinstance(token, str) or not token.strip():
        return TokenCheck(TokenState.MISSING)
    stamp, _, mac = token.strip().partition(".")
    if not stamp.isdigit() or len(stamp) > 12 or not mac:
        return TokenCheck(TokenState.INVALID)
    issued_at = int(stamp)
    if not hmac.compare_digest(mac.encode("ascii", "replace"), _signature(secret, issued_at).encode("ascii")):
        return TokenCheck(TokenState.INVALID)
    age = int(now) - issued_at
    if age < -60:  # signed in the future (beyond clock skew between instances): not ours
        return TokenCheck(TokenState.INVALID, age)
    if age > MAX_AGE_SECONDS:
        return TokenCheck(TokenState.EXPIRED, age)
    return TokenCheck(TokenState.VALID, max(age, 0))
