"""Text folding for word lists: one form for what people write many ways."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_SPACES = re.compile(r"\s+")
# Characters spammers put inside a word to slip past a list (zero-width and joiners).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def fold(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms) then case folding, invisibles dropped,
    runs of white space made one space."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    return _SPACES.sub(" ", folded)


def load_list(path: Path) -> tuple[str, ...]:
    """A shipped word or domain list: one entry a line, `#` comments and blank lines skipped, folded."""
    entries = []
    for line in path.read_text("utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(fold(entry))
    return tuple(dict.fromkeys(entries))
