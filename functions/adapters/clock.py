"""The real clock and id source that handlers pass to services (tests pass fixed ones)."""

from __future__ import annotations

import uuid

from corrigo.model import utc_now

__all__ = ["new_id", "utc_now"]


def new_id() -> str:
    return str(uuid.uuid4())
