"""The editors' search: which tokens a request is found by, and which a search asks for.

A request is indexed under the tokens of the fields an editor searches (``SEARCHED_FIELDS``); a
search looks up its own tokens, starting from the one most likely to be rare, and every request it
finds is checked again against the search text itself (corrigo.review_queue.matches). So a token
only has to narrow the candidates, never to decide.

Text is compared after NFKC (full-width letters and digits become ASCII) and case folding. Chinese
(and Japanese, Korean) has no spaces between words: a run of those characters gives every pair of
neighbours (character bigrams; a lone character stands for itself), so any two characters of a title
or name find it. Other text gives its words (letters and digits between separators) of two
characters or more, and each email address also itself, whole: a Latin-script search finds whole
words ("example" finds https://example.cn/…, "exam" does not).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby

# The request fields a search reads, in the order their tokens are kept when a request has more
# than MAX_TOKENS: who asked first (what editors search most), the article last.
SEARCHED_FIELDS = ("requester_email", "requester_name", "requester_organization", "article_url", "article_title")

# A request's tokens are written in the transaction that changes it, one item each; this bound keeps
# that transaction far below DynamoDB's 100 items whatever the fields hold.
MAX_TOKENS = 48

# Words every URL has: they narrow nothing.
_NOISE = frozenset({"http", "https", "www", "html", "htm", "shtml", "php", "index"})

# Chinese, Japanese and Korean characters, as [start, end) ranges: radicals, kana, bopomofo, CJK
# extension A, unified ideographs, hangul syllables, compatibility ideographs, extensions B to G.
# Looked up by bisection rather than in a regular expression: a character class this wide takes
# ~2.5 ms to compile, three of them ~10 ms of every function's cold start (issue 8).
_CJK_BOUNDS = (
    0x2E80, 0x2FE0, 0x3040, 0x3130, 0x31A0, 0x3200, 0x3400, 0x4DC0,
    0x4E00, 0xA000, 0xAC00, 0xD7B0, 0xF900, 0xFB00, 0x20000, 0x31350,
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_cjk(character: str) -> bool:
    return bisect_right(_CJK_BOUNDS, ord(character)) % 2 == 1


def _kind(character: str) -> int:
    """2 for a CJK character, 1 for another letter or digit (what regular expressions call [^\\W_]), 0 else."""
    return 2 if _is_cjk(character) else 1 if character.isalnum() else 0


def _pieces(text: str) -> Iterator[str]:
    """The runs of CJK characters and the runs of other letters and digits, in order."""
    for kind, run in groupby(text, key=_kind):
        if kind:
            yield "".join(run)


def normalise(text: str) -> str:
    """The form both the index and a search compare in: NFKC, then case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def text_tokens(text: str) -> list[str]:
    """The tokens of one text, in order of appearance, without repeats."""
    folded = normalise(text).strip()
    found = [part for part in folded.split() if _EMAIL.match(part)]
    for piece in _pieces(folded):
        if _is_cjk(piece[0]):
            found.extend([piece] if len(piece) == 1 else [piece[i : i + 2] for i in range(len(piece) - 1)])
        elif len(piece) >= 2 and piece not in _NOISE:
            found.append(piece)
    return list(dict.fromkeys(found))


def request_tokens(fields: Mapping[str, object]) -> tuple[str, ...]:
    """Every token a request is indexed under, at most MAX_TOKENS (the fields' order decides which)."""
    found: dict[str, None] = {}
    for name in SEARCHED_FIELDS:
        value = fields.get(name)
        if isinstance(value, str) and value:
            found.update(dict.fromkeys(text_tokens(value)))
    return tuple(found)[:MAX_TOKENS]


def _rarity(token: str) -> tuple[int, int]:
    """A guess, without counting, of how few requests hold a token (lower sorts first): an email
    address names one requester; a word with digits (an article's id, a phone number) is rarer than
    a word; a longer word rarer than a shorter; a character pair is the most common."""
    if "@" in token:
        kind = 0
    elif _is_cjk(token[0]):
        kind = 3
    elif any(ch.isdigit() for ch in token):
        kind = 1
    else:
        kind = 2
    return kind, -len(token)


def search_tokens(text: str) -> tuple[str, ...]:
    """A search's tokens, the likely rarest first: the index is read in this order."""
    return tuple(sorted(text_tokens(text), key=_rarity))


@dataclass(frozen=True)
class SearchHits:
    """What a search index answers: references that may match (every one is checked again against
    the text); ``complete`` False when the text's every token is too common to narrow the search
    (the caller then reads the queue in order, where such matches are dense)."""

    references: tuple[str, ...]
    complete: bool = True
