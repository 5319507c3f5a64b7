"""What the editors' API reads from an HTTP request: who is asking (the token's claims), which
queue they ask for (the query string), and where the next page starts (the cursor token).

The edge's job: the core (corrigo.review, corrigo.review_queue) takes an Editor, a QueueFilter and a
QueueCursor, never the strings they arrive as. Anything unreadable is BadQuery naming the parameter
(400) or Forbidden (403).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corrigo.errors import BadQuery, Forbidden
from corrigo.lifecycle import Status
from corrigo.queue_index import is_cursor_entry
from corrigo.review import EDITORS_GROUP, Editor
from corrigo.review_queue import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_STATUSES,
    LISTABLE_STATUSES,
    MAX_PAGE_SIZE,
    QueueCursor,
    QueueFilter,
)
from corrigo.schema import request_types
from handlers.problems import InvalidBody

# ---- Who is asking ----------------------------------------------------------------------------


def parse_groups(value: Any) -> frozenset[str]:
    """`cognito:groups` in any shape it arrives in: a list (a decoded token), or a string as API
    Gateway's HTTP API flattens arrays ("[editors admins]"), or a JSON array in a string."""
    if value is None:
        return frozenset()
    if isinstance(value, (list, tuple)):
        return frozenset(str(item) for item in value if str(item))
    text = str(value).strip()
    if text.startswith("[") and '"' in text:
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list):
            return frozenset(str(item) for item in decoded if str(item))
    return frozenset(part for part in re.split(r"[\s,]+", text.strip("[]")) if part)


def editor_from_claims(claims: Mapping[str, Any] | None) -> Editor:
    """The editor the verified token names; Forbidden unless the token carries the `editors` group.

    API Gateway has already checked the signature, expiry, issuer and audience; membership of the
    group is this service's rule, so the handler checks it too (a token of the same pool for a
    user outside the group passes the authorizer).
    """
    claims = claims or {}
    groups = parse_groups(claims.get("cognito:groups"))
    if EDITORS_GROUP not in groups:
        raise Forbidden("the editors group is required")
    identity = str(
        claims.get("email") or claims.get("cognito:username") or claims.get("username") or claims.get("sub") or ""
    )
    if not identity:
        raise Forbidden("the token names nobody")
    return Editor(id=identity, groups=groups, name=str(claims.get("name") or identity))


# ---- The queue asked for --------------------------------------------------------------------------


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise BadQuery(name, "must be true or false")


def queue_filter(
    *,
    status: str | None = None,
    request_type: str | None = None,
    urgency: str | int | None = None,
    overdue: str | bool | None = None,
    mine: str | bool | None = None,
    q: str | None = None,
    limit: str | int | None = None,
    include_spam: str | bool | None = None,
) -> QueueFilter:
    """The filter the query string asks for; BadQuery names the first parameter it cannot read."""
    statuses = DEFAULT_STATUSES
    if status:
        names = [part.strip() for part in status.split(",") if part.strip()]
        try:
            statuses = tuple(dict.fromkeys(Status(name) for name in names))
        except ValueError as exc:
            raise BadQuery("status", f"one or more of {', '.join(s.value for s in LISTABLE_STATUSES)}") from exc
    if request_type and request_type not in request_types():
        raise BadQuery("type", f"one of {', '.join(request_types())}")
    level: int | None = None
    if urgency not in (None, ""):
        try:
            level = int(str(urgency))
        except ValueError:
            level = 0
        if level not in (1, 2, 3):
            raise BadQuery("urgency", "1 (urgent), 2 (high) or 3 (normal)")
    size = DEFAULT_PAGE_SIZE
    if limit not in (None, ""):
        try:
            size = int(str(limit))
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise BadQuery("limit", f"a number from 1 to {MAX_PAGE_SIZE}")
    overdue_flag = (
        None if overdue in (None, "") else (overdue if isinstance(overdue, bool) else _flag("overdue", str(overdue)))
    )
    mine_flag = bool(mine) if isinstance(mine, bool) else _flag("mine", mine or "")
    spam_flag = include_spam if isinstance(include_spam, bool) else _flag("include_spam", include_spam or "")
    return QueueFilter(
        statuses=statuses,
        request_type=request_type or None,
        urgency=level,
        overdue=overdue_flag,
        mine=mine_flag,
        q=(q or "").strip()[:200],
        limit=size,
        include_spam=spam_flag,
    )


# ---- The cursor: an opaque token for the client -------------------------------------------------


def encode_cursor(cursor: QueueCursor) -> str:
    payload = {"v": 1, "a": cursor.after, "d": sorted(cursor.done)}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> QueueCursor:
    """A cursor the client handed back. Anything but what encode_cursor wrote is BadQuery: it is
    turned into a DynamoDB start key, so only well-formed queue positions get through."""
    if not text:
        return QueueCursor()
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadQuery("cursor", "not a cursor this service wrote") from exc
    if (
        not isinstance(payload, dict)
        or payload.get("v") != 1
        or not isinstance(payload.get("a"), dict)
        or not isinstance(payload.get("d"), list)
    ):
        raise BadQuery("cursor", "not a cursor this service wrote")
    after: dict[str, str | None] = {}
    for partition, position in payload["a"].items():
        if not is_cursor_entry(partition, position):
            raise BadQuery("cursor", "not a cursor this service wrote")
        after[partition] = position
    done = payload["d"]
    if not all(isinstance(s, str) and is_cursor_entry(s, None) for s in done):
        raise BadQuery("cursor", "not a cursor this service wrote")
    return QueueCursor(after, frozenset(done))


# ---- The body: a JSON object of text fields ----------------------------------------------------


@dataclass(frozen=True)
class TextField:
    """One text member of a request body: required (not blank) or not, and at most how long."""

    name: str
    required: bool = False
    max_length: int = 5000


def read_body(raw: str | None, *expected: TextField) -> dict[str, str]:
    """The body's text fields, each checked; InvalidBody names every field at fault. An absent body
    is an empty object (every field optional then reads as "")."""
    try:
        data = json.loads(raw) if raw and raw.strip() else {}
    except json.JSONDecodeError:
        raise InvalidBody([("body", "must be a JSON object")]) from None
    if not isinstance(data, dict):
        raise InvalidBody([("body", "must be a JSON object")])
    found: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for spec in expected:
        value = data.get(spec.name, "")
        if not isinstance(value, str):
            problems.append((spec.name, "must be text"))
        elif spec.required and not value.strip():
            problems.append((spec.name, "is required"))
        elif len(value) > spec.max_length:
            problems.append((spec.name, f"at most {spec.max_length} characters"))
        else:
            found[spec.name] = value
    if problems:
        raise InvalidBody(problems)
    return found
