"""Configuration, read from the environment once per execution environment and validated.

A missing or malformed setting fails the cold start with a message that names it, rather
than the first request with a KeyError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from corrigo.ratelimit import Limit, parse_limits
from corrigo.urgency import Deadlines, parse_deadlines, parse_holidays


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


def settings_from(env: Mapping[str, str]) -> Settings:
    domains = tuple(d.strip().lower() for d in _required(env, "SITE_DOMAINS").split(",") if d.strip())
    if not domains:
        raise ConfigError("SITE_DOMAINS must name at least one domain")
    intake = env.get("INTAKE_ADDRESS", "").strip() or f"lxwm@{domains[0]}"
    try:
        deadlines = parse_deadlines(env.get("DEADLINES", ""), parse_holidays(env.get("HOLIDAYS", "")))
    except ValueError as exc:
        raise ConfigError(f"DEADLINES or HOLIDAYS: {exc}") from exc
    return Settings(
        site_domains=domains,
        public_base_url=_required(env, "PUBLIC_BASE_URL").rstrip("/"),
        sender_address=env.get("SENDER_ADDRESS", "").strip() or f"noreply@{domains[0]}",
        intake_address=intake,
        table_name=_required(env, "TABLE_NAME"),
        intake_queue_url=env.get("INTAKE_QUEUE_URL", "").strip(),
        deadlines=deadlines,
        ses_configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
        form_signing_secret=env.get("FORM_SIGNING_SECRET", ""),
        rate_limits=_rate_limits(env.get("RATE_LIMITS", "")),
        rate_limit_table_name=env.get("RATE_LIMIT_TABLE_NAME", "").strip() or _required(env, "TABLE_NAME"),
        classifier=_classifier(env.get("CLASSIFIER", "")),
        personal_data_retention_days=_retention_days(env.get("PERSONAL_DATA_RETENTION_DAYS", "")),
        outbox_table_name=env.get("OUTBOX_TABLE_NAME", "").strip(),
    )


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
def settings() -> Settings:
    return settings_from(os.environ)
