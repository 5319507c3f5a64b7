"""Word lists (banned words, abusive words) and how a text is searched for their entries.

Both the entries and the text go through ``textfold.fold``; then they are compared on letters,
digits and marks alone, so spaces and punctuation inside a word hide nothing:

- an entry with Chinese, Japanese or Korean characters matches anywhere (those scripts put no
  spaces between words): 代开 发票 and 代·开·发·票 are 代开发票;
- any other entry must start where a word starts, and end where a word ends or inside its own last
  word: "casinos", "c a s i n o", "cas ino" and "PAYDAY-LOANS" are found, "specialist" does not
  hold "cialis", nor "via grand" "viagra". Characters of those scripts separate words here, so
  "的casino网" holds "casino".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from corrigo.textfold import fold

# Scripts written without spaces between words.
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}"


@dataclass(frozen=True)
class _Patterns:
    not_word: Any  # a run of anything but letters, digits and marks
    not_spaced_word: Any  # … or of an unspaced script's characters
    unspaced: Any  # one character of an unspaced script


@cache
def _patterns() -> _Patterns:
    import regex  # type: ignore[import-untyped]

    # Each is one character class, repeated: linear in the text's length.
    return _Patterns(
        not_word=regex.compile(r"[^\p{L}\p{N}\p{M}]+"),
        not_spaced_word=regex.compile(rf"(?V1)[[^\p{{L}}\p{{N}}\p{{M}}]{_UNSPACED}]+"),
        unspaced=regex.compile(rf"[{_UNSPACED}]"),
    )


def _spaced_words(folded: str) -> list[str]:
    """The words of the scripts that separate words, each a run of letters, digits and marks."""
    return str(_patterns().not_spaced_word.sub(" ", folded)).split()


@dataclass(frozen=True)
class Entry:
    """One list entry: as shown to an editor, and as compared (letters, digits and marks only)."""

    shown: str
    compact: str
    word_starts: frozenset[int]  # where each of its words starts in ``compact``
    anywhere: bool  # written (partly) in an unspaced script: matched without word boundaries

    @classmethod
    def of(cls, word: str) -> Entry | None:
        shown = fold(word)
        patterns = _patterns()
        compact = str(patterns.not_word.sub("", shown))
        if not compact:
            return None
        if patterns.unspaced.search(compact):
            return cls(shown, compact, frozenset({0}), anywhere=True)
        ends = tuple(accumulate(map(len, _spaced_words(shown))))
        return cls(shown, compact, frozenset((0, *ends[:-1])), anywhere=False)


@dataclass(frozen=True)
class SearchText:
    """A folded text in the two forms entries are compared with."""

    everything: str  # every letter, digit and mark: for entries matched anywhere
    spaced: str  # the words of the scripts that separate words, run together
    starts: tuple[int, ...]  # where each of those words starts in ``spaced`` (sorted)
    ends: frozenset[int]  # … and ends

    @classmethod
    def of(cls, text: str) -> SearchText:
        folded = fold(text)
        words = _spaced_words(folded)
        ends = tuple(accumulate(map(len, words)))
        everything = str(_patterns().not_word.sub("", folded))
        return cls(everything, "".join(words), (0, *ends[:-1]) if ends else (), frozenset(ends))

    def holds(self, entry: Entry) -> bool:
        if entry.anywhere:
            return entry.compact in self.everything
        size = len(entry.compact)
        at = self.spaced.find(entry.compact)
        while at != -1:
            word = bisect_right(self.starts, at) - 1  # the word this occurrence is in
            if self.starts[word] == at:
                end = at + size
                last_word_start = self.starts[bisect_right(self.starts, end - 1) - 1]
                if end in self.ends or last_word_start - at in entry.word_starts:
                    return True
            # A match starts a word: look again from the next one.
            if word + 1 >= len(self.starts):
                return False
            at = self.spaced.find(entry.compact, self.starts[word + 1])
        return False


@lru_cache(maxsize=8)
def _search_text(text: str) -> SearchText:
    # Screening asks two lists (banned words, then the classifier's) about the same text.
    return SearchText.of(text)


class WordList:
    """Entries as written; folded on first use.

    Folding needs regex, OpenCC and disarm, ~25 ms to import: a function that builds its lists at
    INIT (the comments function, whose cold starts mostly serve a page of comments) pays that at
    its first screened text instead (bench/cold_start.py prints both)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words = tuple(word for word in words if word)

    @classmethod
    def read(cls, path: Path) -> WordList:
        """A shipped list: one entry a line, `#` comments and blank lines skipped."""
        return cls(line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        """Each entry folded once; of entries that fold alike, the first."""
        entries: dict[str, Entry] = {}
        for word in self._words:
            entry = Entry.of(word)
            if entry is not None:
                entries.setdefault(entry.compact, entry)
        return tuple(entries.values())

    def __add__(self, other: WordList) -> WordList:
        return WordList((*self._words, *other._words))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordList) and self._words == other._words

    def __hash__(self) -> int:
        return hash(self._words)

    def __repr__(self) -> str:
        return f"WordList({len(self._words)} words)"

    def __bool__(self) -> bool:
        return bool(self.entries)

    def found_in(self, text: str) -> tuple[str, ...]:
        """The entries the text holds (as shown), in the list's order."""
        if not self.entries or not text:
            return ()
        searched = _search_text(text)
        return tuple(entry.shown for entry in self.entries if searched.holds(entry))
