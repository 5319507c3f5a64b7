"""Toxicity and personal data in a request's free text, behind one small interface.

Two implementations: ``LocalClassifier`` here (word list and patterns: no network, no model, the
default and what tests use) and ``adapters.comprehend.ComprehendClassifier`` (Amazon Comprehend),
chosen by the `Classifier` template parameter. Screening only sees a ``Classification``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from corrigo.wordlists import WordList


@dataclass(frozen=True)
class Classification:
    # 0–100: how sure the classifier is the text is abusive or threatening.
    toxicity: int = 0
    # What made it say so (words found, or Comprehend's label names), for the editor to read.
    toxic_labels: tuple[str, ...] = ()
    # Kinds of personal data found in text where none is expected (ID numbers, bank cards …).
    pii_types: tuple[str, ...] = ()
    source: str = "local"
    # Set when the classifier could not answer: screening records it and carries on without it.
    error: str = ""


class Classifier(Protocol):
    def classify(self, texts: dict[str, str], language: str) -> Classification:
        """Classify the free-text fields (name → text) of one request."""
        ...


# Patterns for personal data that a correction request's free text should not need. The requester's
# own contact fields are not looked at: they are personal data by design.
_PII_PATTERNS: dict[str, re.Pattern[str]] = {
    # 18-digit resident identity card number (the last character may be X).
    "CN_RESIDENT_ID": re.compile(
        r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"
    ),
    # A mainland mobile number.
    "PHONE": re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"),
    # 16–19 digit card numbers, optionally grouped by four.
    "BANK_CARD": re.compile(r"(?<!\d)(?:\d{4}[ -]?){3}\d{4,7}(?!\d)"),
    # Tried only where a run of address characters begins: linear on "aaaa…" without an @.
    "EMAIL": re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
}


@cache
def _toxic_words() -> WordList:
    return WordList.read(Path(__file__).with_name("lists") / "toxic_words.txt")


@dataclass(frozen=True)
class LocalClassifier:
    """Word list and patterns. Each abusive word found adds 40 to the toxicity (at most 100)."""

    extra_words: tuple[str, ...] = field(default_factory=tuple)

    def classify(self, texts: dict[str, str], language: str) -> Classification:
        raw = " ".join(texts.values())
        # Matched through the same fold as the banned words (corrigo.wordlists).
        found = (_toxic_words() + WordList(self.extra_words)).found_in(raw)
        pii = tuple(kind for kind, pattern in _PII_PATTERNS.items() if pattern.search(raw))
        return Classification(toxicity=min(100, 40 * len(found)), toxic_labels=found, pii_types=pii)
