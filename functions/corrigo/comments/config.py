"""The comments' settings, from the CommentsFunction's environment (template.yaml), checked at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from corrigo.comments.identity import Keys
from corrigo.comments.schedule import QuietHours
from corrigo.config import ConfigError
from corrigo.config import settings_from as shared_settings_from
from corrigo.ratelimit import Limit, parse_limits

# The rate-limit scopes of comments: names of their own, so no counter is shared with requests'.
COMMENT_SCOPES = ("commenter", "comment_ip")
VERIFY_SCOPES = ("phone", "verify_ip")
REPORT_SCOPES = ("report_ip",)
# Without a key in AWS Lambda (a Lambda environment that talks to AWS itself) comments fail closed:
# every comment route answers 503 and the cold start logs why (``keys`` is None). Elsewhere (the
# local stack, tests) a fixed, public development key stands in: nothing there is secret.
LOCAL_DEVELOPMENT_KEY = "corrigo-local-development-commenter-key-not-secret"
MIN_KEY_LENGTH = 32
MIN_AUDIT_DAYS = 180


class CommentConfigError(Exception):
    pass


@dataclass(frozen=True)
class CommentSettings:
    table_name: str
    rate_limit_table_name: str
    outbox_table_name: str
    public_base_url: str
    site_domains: tuple[str, ...]
    keys: Keys | None  # None: COMMENTER_HASH_KEY is not set (comments are off)
    report_threshold: int = 3
    quiet_hours: QuietHours | None = None
    comment_limits: tuple[Limit, ...] = ()
    verify_limits: tuple[Limit, ...] = ()
    report_limits: tuple[Limit, ...] = ()
    audit_days: int = 365
    secure_cookie: bool = True


def _limits(env: Mapping[str, str], name: str, scopes: tuple[str, ...]) -> tuple[Limit, ...]:
    try:
        return parse_limits(env.get(name, ""), scopes)
    except ValueError as exc:
        raise CommentConfigError(f"{name}: {exc}") from exc


def _whole(env: Mapping[str, str], name: str, default: int, least: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise CommentConfigError(f"{name} must be a whole number, at least {least}, not {raw!r}")
    return int(raw)


def settings_from(env: Mapping[str, str]) -> CommentSettings:
    secret = env.get("COMMENTER_HASH_KEY", "")
    in_aws = bool(env.get("AWS_LAMBDA_FUNCTION_NAME")) and not env.get("AWS_ENDPOINT_URL")
    if not secret and not in_aws:
        secret = LOCAL_DEVELOPMENT_KEY
    if secret and len(secret) < MIN_KEY_LENGTH:
        raise CommentConfigError(f"COMMENTER_HASH_KEY must be a secret of at least {MIN_KEY_LENGTH} characters")
    if not env.get("COMMENTS_TABLE_NAME", "").strip():
        raise CommentConfigError("environment variable COMMENTS_TABLE_NAME is required")
    # The site, the links and the tables every function shares (corrigo.config), read the same way.
    try:
        shared = shared_settings_from(env, reads=("RATE_LIMIT_TABLE_NAME",))
    except ConfigError as exc:
        raise CommentConfigError(str(exc)) from exc
    try:
        quiet = QuietHours.parse(env.get("COMMENT_QUIET_HOURS", ""))
    except ValueError as exc:
        raise CommentConfigError(f"COMMENT_QUIET_HOURS: {exc}") from exc
    base = shared.public_base_url
    return CommentSettings(
        table_name=env["COMMENTS_TABLE_NAME"].strip(),
        rate_limit_table_name=shared.rate_limit_table_name,
        outbox_table_name=shared.outbox_table_name,
        public_base_url=base,
        site_domains=shared.site_domains,
        keys=Keys.of(secret) if secret else None,
        report_threshold=_whole(env, "COMMENT_REPORT_THRESHOLD", 3, 1),
        quiet_hours=quiet,
        comment_limits=_limits(env, "COMMENT_RATE_LIMITS", COMMENT_SCOPES),
        verify_limits=_limits(env, "COMMENTER_VERIFY_RATE_LIMITS", VERIFY_SCOPES),
        report_limits=_limits(env, "COMMENT_REPORT_RATE_LIMITS", REPORT_SCOPES),
        audit_days=_whole(env, "COMMENT_AUDIT_RETENTION_DAYS", 365, MIN_AUDIT_DAYS),
        # Browsers refuse a Secure cookie over plain http: only the local stack serves that.
        secure_cookie=base.startswith("https://"),
    )


@dataclass(frozen=True)
class ModerationSettings:
    """What the moderators' function reads (CommentModerationFunction): no commenter key, no limits."""

    table_name: str
    outbox_table_name: str
    site_domains: tuple[str, ...]
    quiet_hours: QuietHours | None = None
    audit_days: int = 365


def moderation_settings_from(env: Mapping[str, str]) -> ModerationSettings:
    if not env.get("COMMENTS_TABLE_NAME", "").strip():
        raise CommentConfigError("environment variable COMMENTS_TABLE_NAME is required")
    try:
        shared = shared_settings_from(env)
        quiet = QuietHours.parse(env.get("COMMENT_QUIET_HOURS", ""))
    except ConfigError as exc:
        raise CommentConfigError(str(exc)) from exc
    except ValueError as exc:
        raise CommentConfigError(f"COMMENT_QUIET_HOURS: {exc}") from exc
    return ModerationSettings(
        table_name=env["COMMENTS_TABLE_NAME"].strip(),
        outbox_table_name=shared.outbox_table_name,
        site_domains=shared.site_domains,
        quiet_hours=quiet,
        audit_days=_whole(env, "COMMENT_AUDIT_RETENTION_DAYS", 365, MIN_AUDIT_DAYS),
    )
