"""The one fold every word list is matched through: what people write many ways, in one form.

Spammers hide a listed word from a plain substring match by putting invisible characters inside it
(U+202E, U+200B, variation selectors, tag characters, the Hangul filler …), by writing it with
look-alike letters from another script (a Cyrillic "а" in "casino"), in full-width or mathematical
letters, or in traditional characters (代開發票). ``fold`` undoes all of that, in this order:

1. every ``Default_Ignorable_Code_Point`` dropped (the Unicode property, read through ``regex``);
2. NFKC (full-width → half-width, compatibility forms), then ignorables dropped again, since NFKC
   makes some (U+3164 HANGUL FILLER becomes U+1160, also ignorable);
3. case folding (before the confusables: their table maps a capital I to l, so "CASINO" would not
   meet "casino" the other way round);
4. traditional → simplified Chinese (OpenCC's ``t2s``: characters and phrases);
5. confusables → their UTS #39 skeleton (``disarm.skeleton_key``, which also collapses white space).

The three libraries are imported on the first fold, not with this module: a function that never
matches a word list (the API, the editors' API) does not pay for them at cold start (~25 ms).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache


@cache
def _drop_ignorable() -> Callable[[str], str]:
    import regex  # type: ignore[import-untyped]

    # One character class, repeated: linear in the text's length.
    pattern = regex.compile(r"\p{Default_Ignorable_Code_Point}+")
    return lambda text: str(pattern.sub("", text))


@cache
def _to_simplified() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    return lambda text: str(converter.convert(text))


@cache
def _skeleton() -> Callable[[str], str]:
    import disarm

    return lambda text: str(disarm.skeleton_key(text))


def fold(text: str) -> str:
    """The form word lists and texts are compared in (see the module's doc for each step)."""
    drop = _drop_ignorable()
    folded = drop(unicodedata.normalize("NFKC", drop(text))).casefold()
    return _skeleton()(_to_simplified()(folded))
