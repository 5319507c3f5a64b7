"""Configuration, read from the environment once per execution environment and validated.

A missing or malformed setting fails the cold start with a message that names it, rather
than the first request with a KeyError (or every message of a queue with a dead letter).

Each function reads only what it needs: the shared variables, and the optional ones its handler's
composition names (`reads`); template.yaml gives each function exactly those
(tests/unit/project/test_function_environment.py holds the two together).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from corrigo.ratelimit import Limit, parse_limits
from corrigo.urgency import Deadlines, parse_deadlines
from corrigo.workdays import parse_holidays


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    site_domains: tuple[str, ...]
    public_base_url: str
    sender_address: str
    intake_address: str
    table_name: str
    intake_queue_url: str
    deadlines: Deadlines
    ses_configuration_set: str = ""
    max_body_bytes: int = 64 * 1024
    # Screening and hardening (issue 5): the form token's HMAC secret (empty: the timing rule is off),
    # the rate limits checked on submit, and which classifier screening asks (local | comprehend).
    form_signing_secret: str = ""
    rate_limits: tuple[Limit, ...] = ()
    rate_limit_table_name: str = ""
    classifier: str = "local"
    # PIPL (issue 9, docs/privacy.md): days after resolution before a requester's personal data is erased.
    personal_data_retention_days: int = 3 * 365
    # The transactional outbox (corrigo.outbox): every email and event a state change promises.
    outbox_table_name: str = ""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is required")
    return value


# Every function reads these: where requests live, what its mail says and where its links point,
# and the deadline calendar.
SHARED_VARIABLES = (
    "SITE_DOMAINS",
    "PUBLIC_BASE_URL",
    "SENDER_ADDRESS",
    "INTAKE_ADDRESS",
    "TABLE_NAME",
    "OUTBOX_TABLE_NAME",
    "SES_CONFIGURATION_SET",
    "DEADLINES",
    "HOLIDAYS",
)
# Read only by a function whose composition names them; a field not read keeps its default.
OPTIONAL_VARIABLES = (
    "INTAKE_QUEUE_URL",
    "FORM_SIGNING_SECRET",
    "RATE_LIMITS",
    "RATE_LIMIT_TABLE_NAME",
    "CLASSIFIER",
    "PERSONAL_DATA_RETENTION_DAYS",
)


def settings_from(env: Mapping[str, str], reads: Collection[str] = ()) -> Settings:
    """The shared settings, and of the optional ones only those named in ``reads``."""
    unknown = sorted(set(reads) - set(OPTIONAL_VARIABLES))
    if unknown:
        raise ValueError(f"not an optional setting: {', '.join(unknown)}")

    def optional(name: str) -> str:
        return env.get(name, "") if name in reads else ""

    domains = tuple(d.strip().lower() for d in _required(env, "SITE_DOMAINS").split(",") if d.strip())
    if not domains:
        raise ConfigError("SITE_DOMAINS must name at least one domain")
    intake = env.get("INTAKE_ADDRESS", "").strip() or f"lxwm@{domains[0]}"
    try:
        deadlines = parse_deadlines(env.get("DEADLINES", ""), parse_holidays(env.get("HOLIDAYS", "")))
    except ValueError as exc:
        raise ConfigError(f"DEADLINES or HOLIDAYS: {exc}") from exc
    table_name = _required(env, "TABLE_NAME")
    return Settings(
        site_domains=domains,
        public_base_url=_required(env, "PUBLIC_BASE_URL").rstrip("/"),
        sender_address=env.get("SENDER_ADDRESS", "").strip() or f"noreply@{domains[0]}",
        intake_address=intake,
        table_name=table_name,
        intake_queue_url=optional("INTAKE_QUEUE_URL").strip(),
        deadlines=deadlines,
        ses_configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
        form_signing_secret=optional("FORM_SIGNING_SECRET"),
        rate_limits=_rate_limits(optional("RATE_LIMITS")),
        rate_limit_table_name=optional("RATE_LIMIT_TABLE_NAME").strip() or table_name,
        classifier=_classifier(optional("CLASSIFIER")),
        personal_data_retention_days=_retention_days(optional("PERSONAL_DATA_RETENTION_DAYS")),
        outbox_table_name=env.get("OUTBOX_TABLE_NAME", "").strip(),
    )


def editor_addresses_from(env: Mapping[str, str]) -> tuple[str, ...]:
    """EDITOR_ADDRESSES: who is told of escalations and answers, comma-separated."""
    addresses = tuple(a.strip() for a in env.get("EDITOR_ADDRESSES", "").split(",") if a.strip())
    bad = [a for a in addresses if "@" not in a or any(c.isspace() for c in a)]
    if bad:
        raise ConfigError(f"EDITOR_ADDRESSES must be email addresses separated by commas, not {', '.join(bad)!r}")
    return addresses


DEFAULT_DUPLICATE_WINDOW_HOURS = 72.0


def duplicate_window_from(env: Mapping[str, str]) -> timedelta:
    """DUPLICATE_WINDOW_HOURS: how far back duplicates are looked for; 0 (or empty) turns linking off."""
    raw = env.get("DUPLICATE_WINDOW_HOURS")
    if raw is None:
        return timedelta(hours=DEFAULT_DUPLICATE_WINDOW_HOURS)
    try:
        hours = float(raw.strip() or 0)
    except ValueError:
        hours = -1.0
    if not 0 <= hours < 24 * 366:
        raise ConfigError(
            f"DUPLICATE_WINDOW_HOURS must be a number of hours, 0 or more (0 turns linking off), not {raw!r}"
        )
    return timedelta(hours=hours)


def _retention_days(text: str) -> int:
    raw = text.strip()
    if not raw:
        return Settings.personal_data_retention_days
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"PERSONAL_DATA_RETENTION_DAYS must be a whole number of days, at least 1, not {text!r}")
    return int(raw)


def _rate_limits(text: str) -> tuple[Limit, ...]:
    try:
        return parse_limits(text)
    except ValueError as exc:
        raise ConfigError(f"RATE_LIMITS: {exc}") from exc


def _classifier(text: str) -> str:
    name = text.strip().lower() or "local"
    if name not in ("local", "comprehend"):
        raise ConfigError(f"CLASSIFIER must be local or comprehend, not {text!r}")
    return name


@cache
def settings(reads: tuple[str, ...] = ()) -> Settings:
    return settings_from(os.environ, reads)
