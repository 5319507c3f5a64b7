"""Rate limits per requester address and per source IP: which counters a submission touches.

Fixed windows (``email=10/3600`` is ten accepted requests per address per clock hour): one counter
item per (scope, key, window), incremented with a ceiling in the same DynamoDB transaction that
stores the request, and removed by TTL after its window. Keys are hashed: a counter's name never
carries an address or an IP in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SCOPES = ("email", "ip")


@dataclass(frozen=True)
class Limit:
    scope: str
    ceiling: int
    window_seconds: int


@dataclass(frozen=True)
class Counter:
    scope: str
    key: str  # hashed
    window_start: int
    ceiling: int
    expires_at: int
    retry_after_seconds: int

    @property
    def pk(self) -> str:
        return f"RATE#{self.scope}#{self.key}"

    @property
    def sk(self) -> str:
        return f"WINDOW#{self.window_start}"


def parse_limits(text: str, scopes: tuple[str, ...] = SCOPES) -> tuple[Limit, ...]:
    """``email=10/3600,ip=30/3600``; empty or ``off`` for none. Raises ValueError naming the problem.
    ``scopes``: the names allowed (the comments have their own: corrigo.comments.config)."""
    if text.strip().lower() in ("", "off", "none"):
        return ()
    limits = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        scope, _, rule = part.partition("=")
        count, _, seconds = rule.partition("/")
        if scope.strip() not in scopes or not count.strip().isdigit() or not seconds.strip().isdigit():
            raise ValueError(f"rate limit {part!r}: expected <{'|'.join(scopes)}>=<count>/<seconds>")
        limit = Limit(scope.strip(), int(count), int(seconds))
        if limit.ceiling < 1 or limit.window_seconds < 1:
            raise ValueError(f"rate limit {part!r}: count and seconds must be positive")
        limits.append(limit)
    return tuple(limits)


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def counters(limits: tuple[Limit, ...], *, email: str, ip: str, now: float) -> list[Counter]:
    """The counters one submission counts against (a scope without a value is skipped)."""
    return counters_for(limits, {"email": email.strip().lower(), "ip": ip.strip()}, now=now)


def counters_for(limits: tuple[Limit, ...], values: dict[str, str], *, now: float) -> list[Counter]:
    """The counters of ``limits`` for the value of each scope (``{"phone": …, "verify_ip": …}``)."""
    found = []
    for limit in limits:
        value = values.get(limit.scope, "")
        if not value:
            continue
        start = int(now) // limit.window_seconds * limit.window_seconds
        end = start + limit.window_seconds
        found.append(
            Counter(
                scope=limit.scope,
                key=_hashed(value),
                window_start=start,
                ceiling=limit.ceiling,
                # Kept a window longer than needed: DynamoDB's TTL deletes within days, not seconds,
                # and the window start in the key already stops an old counter from counting.
                expires_at=end + limit.window_seconds,
                retry_after_seconds=max(1, end - int(now)),
            )
        )
    return found
