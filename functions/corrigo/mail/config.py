"""The mail-intake function's own settings, read from its environment once and checked at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from corrigo.config import ConfigError


@dataclass(frozen=True)
class MailSettings:
    raw_mail_bucket: str
    attachment_prefix: str = "attachments/"
    max_auto_replies_per_day: int = 5
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 10


def _number(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def mail_settings_from(env: Mapping[str, str]) -> MailSettings:
    bucket = env.get("RAW_MAIL_BUCKET", "").strip()
    if not bucket:
        raise ConfigError("environment variable RAW_MAIL_BUCKET is required")
    return MailSettings(
        raw_mail_bucket=bucket,
        attachment_prefix=(env.get("ATTACHMENT_PREFIX", "").strip() or "attachments/").rstrip("/") + "/",
        max_auto_replies_per_day=_number(env, "MAX_AUTO_REPLIES_PER_DAY", 5, 0),
        max_attachment_bytes=_number(env, "MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, 0),
        max_attachments=_number(env, "MAX_ATTACHMENTS", 10, 0),
    )


@cache
def mail_settings() -> MailSettings:
    return mail_settings_from(os.environ)
