"""Keys: which article a URL is, where a comment sits in each index, and the public list's cursor.

Indexes of the CommentsTable (template.yaml):

- ``public`` (sparse): ``public_pk`` = ``ARTICLE#<article key>``, ``public_sk`` = ``<created_at>#<id>``,
  present only while a comment is visible; one Query, newest first, is one page.
- ``moderation``: ``queue_status`` = the status, ``queue_order`` = ``<priority>#<created_at>#<id>``
  for pending (clean first, then oldest first), ``<created_at>#<id>`` for the others.
- ``article_queue``: ``<article key>#<status>`` + ``queue_order``: one article's queue.
- ``by_commenter``: ``commenter`` + ``created_at``: a commenter's history beside a comment.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from corrigo.comments.model import Comment, CommentStatus

PAGE_SIZE = 20
_TRACKING = ("utm_", "spm", "from", "share")


def canonical_url(url: str) -> str:
    """One spelling per article: scheme and fragment dropped, host lower-cased without ``www.``,
    no trailing slash, tracking parameters removed (``?utm_source=…``, ``?from=timeline``)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    path = parts.path.rstrip("/") or "/"
    return host + path + ("?" + urlencode(sorted(query)) if query else "")


def is_site_article(url: str, domains: tuple[str, ...]) -> bool:
    """An http(s) address on one of the site's domains (or their subdomains)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    on_site = any(host == d or host.endswith("." + d) for d in domains)
    return parts.scheme in ("http", "https") and on_site and len(url) <= 2000


def article_key(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]


def public_pk(key: str) -> str:
    return f"ARTICLE#{key}"


def public_sk(comment: Comment) -> str:
    return f"{comment.created_at}#{comment.id}"


def queue_order(comment: Comment) -> str:
    if comment.status is CommentStatus.PENDING:
        return f"{comment.priority}#{comment.created_at}#{comment.id}"
    return f"{comment.updated_at}#{comment.id}"


def article_queue(comment: Comment) -> str:
    """The ``article_queue`` index's key: one article's comments of one status (in queue order)."""
    return f"{comment.article_key}#{comment.status.value}"


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    """The index position after a page, as an opaque URL-safe string (None: no more pages)."""
    if not last_key:
        return None
    data = json.dumps(dict(sorted(last_key.items())), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, key: str) -> dict[str, str] | None:
    """The position a cursor names, if it is one of this article's; None for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    names = {"pk", "sk", "public_pk", "public_sk"}
    if not isinstance(data, dict) or set(data) != names or not all(isinstance(v, str) for v in data.values()):
        return None
    if data["public_pk"] != public_pk(key) or not data["pk"].startswith("COMMENT#"):
        return None
    return {str(k): str(v) for k, v in data.items()}
