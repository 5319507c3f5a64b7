"""Which article a request is about, however its link was written."""

from __future__ import annotations

from urllib.parse import urlsplit


def article_key(url: str) -> str:
    """The same article however its link was written: host lower-cased, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")
