"""Duplicates: requests about the same passage of the same article, close together in time.

A flood of near-identical requests becomes one item for editors: the first stays (the primary), the
others are resolved as `merged` into it and listed on it, and each requester is told its outcome.
Exact copies are found by a signature (a conditional write decides the primary, even between
concurrent workers); near copies by comparing passages with the article's recent open requests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from corrigo.textfold import fold

# Above this share of shared character trigrams two passages are "overlapping".
SIMILARITY_THRESHOLD = 0.6
# Too short a passage ("标题错了") says nothing about being the same request.
MIN_PASSAGE_CHARS = 8
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def passage(fields: Mapping[str, Any]) -> str:
    """The passage as published, folded, without spaces or punctuation: what copies have in common."""
    return _NOISE.sub("", fold(str(fields.get("original_text", ""))))


def signature(article_key: str, fields: Mapping[str, Any]) -> str | None:
    text = passage(fields)
    if len(text) < MIN_PASSAGE_CHARS or not article_key:
        return None
    return hashlib.sha256(f"{article_key}\n{text}".encode()).hexdigest()


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(len(text) - 2, 1))}


def similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """0–1: how much two requests' passages overlap (trigram Jaccard; containment counts as 1)."""
    first, second = passage(a), passage(b)
    if min(len(first), len(second)) < MIN_PASSAGE_CHARS:
        return 0.0
    if first in second or second in first:
        return 1.0
    x, y = _trigrams(first), _trigrams(second)
    return len(x & y) / len(x | y)


def within_window(created_at: str, now: datetime, window: timedelta) -> bool:
    try:
        moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return now - moment <= window
