"""One-line text (a name, a title, an organisation, a phone number): what it may not hold, and how
text from mail is folded into one line.

A line break in a name is how a header gets into a mail (`王喆\\r\\nBcc: x@y`), and control or
bidirectional characters change how the text around them is shown on the editors' page. The
schema marks these fields `x-one-line`; the API refuses such characters in them (corrigo.validation)
and mail extraction folds them away (corrigo.mail.labels), so they are never stored.
"""

from __future__ import annotations

import re

# Line breaks and every other control character (C0, DEL, C1), and the Unicode line and paragraph
# separators.
_BREAKS_AND_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# Bidirectional embeddings, overrides and isolates: they reorder what is shown after them.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"

# Single character classes: linear in the text's length.
_FORBIDDEN = re.compile(f"[{_BREAKS_AND_CONTROLS}{_BIDI_CONTROLS}]")
_CONTROL_RUNS = re.compile(f"[{_BREAKS_AND_CONTROLS}]+")
_BIDI_RUNS = re.compile(f"[{_BIDI_CONTROLS}]+")


def is_one_line(text: str) -> bool:
    return _FORBIDDEN.search(text) is None


# Text of several lines (a comment): tabs and line breaks are writing, every other control is not.
_FORBIDDEN_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")


def is_plain_text(text: str) -> bool:
    return _FORBIDDEN_IN_TEXT.search(text) is None


def fold_to_one_line(text: str) -> str:
    """Line breaks and control characters become spaces, bidirectional controls go, runs of spaces
    become one: ``"王喆\\r\\nBcc: x@y"`` → ``"王喆 Bcc: x@y"``."""
    spaced = _CONTROL_RUNS.sub(" ", _BIDI_RUNS.sub("", text))
    return " ".join(spaced.split())
