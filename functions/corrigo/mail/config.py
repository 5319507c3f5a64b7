"""The mail-intake function's own settings, read from its environment once and checked at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from corrigo.config import ConfigError
from corrigo.mail.limits import ReadLimits


@dataclass(frozen=True)
class MailSettings:
    raw_mail_bucket: str
    attachment_prefix: str = "attachments/"
    max_auto_replies_per_day: int = 5
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 10
    limits: ReadLimits = field(default_factory=ReadLimits)  # how much one mail may make us read


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
        limits=read_limits_from(env),
    )


# Environment variable -> ReadLimits field; every one optional (docs/operations.md, "Limits per mail").
LIMIT_VARIABLES = {
    "MAIL_MAX_TEXT_CHARS": "max_text_chars",
    "MAIL_MAX_HTML_CHARS": "max_html_chars",
    "MAIL_MAX_HEADER_CHARS": "max_header_chars",
    "MAIL_DOCX_MAX_BYTES": "docx_max_bytes",
    "MAIL_ARCHIVE_MAX_UNCOMPRESSED_BYTES": "archive_max_uncompressed_bytes",
    "MAIL_ARCHIVE_MAX_RATIO": "archive_max_ratio",
    "MAIL_ARCHIVE_MAX_MEMBERS": "archive_max_members",
    "MAIL_ARCHIVE_MAX_NESTING": "archive_max_nesting",
    "MAIL_DOCX_MAX_PARAGRAPHS": "docx_max_paragraphs",
    "MAIL_DOCX_MAX_TABLE_CELLS": "docx_max_table_cells",
    "MAIL_READ_BUDGET_SECONDS": "read_budget_seconds",
}


def read_limits_from(env: Mapping[str, str]) -> ReadLimits:
    defaults = ReadLimits()
    values = {
        name: _number(env, variable, getattr(defaults, name), 1 if name != "archive_max_nesting" else 0)
        for variable, name in LIMIT_VARIABLES.items()
    }
    return ReadLimits(**values)


@cache
def mail_settings() -> MailSettings:
    return mail_settings_from(os.environ)
