"""What people write in a mailed form, mapped to the schema: labels to fields, words to values.

Everything here is read from the schema (``corrigo.schema.fields()``): labels in both languages,
``x-synonyms``, enum values with their labels and ``x-enum-synonyms``, and the declaration
sentence (the ``x-help`` of the boolean field). Adding a synonym to the schema teaches the
extractor; nothing here names a field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from typing import Any

from corrigo.oneline import fold_to_one_line
from corrigo.schema import Field, fields, fields_by_name

_SPACES = re.compile(r"\s+")
# Decoration around a label: "1. ", "一、", "* ", "【…】", "[…]", "(必填)", a trailing "*".
_NUMBERING = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.、)]")
_BULLETS = "-*•·●○■□◆◇►▶>#"
_BRACKETS = "【】[]《》〈〉<>「」『』"
_PARENTHESES = re.compile(r"\([^()]*\)")

CHECKED_MARKS = "☑☒■√✓✔"
UNCHECKED_MARKS = "☐□"
_CHECKED_BRACKETS = re.compile(r"\[\s*+[xX✓✔√]\s*+\]")
_UNCHECKED_BRACKETS = re.compile(r"\[\s*+\]")
# The words after a ticked box, up to the next box.
_AFTER_CHECKED_MARK = re.compile(rf"[{CHECKED_MARKS}]\s*+([^{CHECKED_MARKS}{UNCHECKED_MARKS}]+)")

# Affirmative answers to the declaration, folded; the schema's sentence is accepted as well.
_YES_WORDS = {
    "是", "是的", "同意", "确认", "已确认", "承诺", "本人承诺", "yes", "y", "true", "on", "1", "x",
    "checked", "agree", "iagree", "confirmed", "iconfirm", "ok",
}  # fmt: skip
_YES_PREFIXES = ("本人承诺", "我承诺", "本人确认", "我确认", "同意", "确认", "iconfirm", "yes", "是")
_NO_PREFIXES = ("否", "不", "no", "false", "未")

_DATE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})")
_LONGEST_LABEL = 30


def fold(text: str) -> str:
    """Compare-ready text: full-width to half-width (NFKC), case folded, without any spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _clean_key(key: str) -> str:
    folded = fold(key).rstrip(":")
    folded = _NUMBERING.sub("", folded).lstrip(_BULLETS)
    folded = folded.strip(_BRACKETS + _BULLETS)
    folded = _PARENTHESES.sub("", folded)
    return folded.strip(_BRACKETS + _BULLETS + ":")


@cache
def _label_index() -> dict[str, str]:
    """Folded label or synonym -> field name. Own labels win over another field's synonym."""
    extractable = [spec for spec in fields() if not spec.honeypot]
    index: dict[str, str] = {}
    for spec in extractable:
        for label in spec.labels.values():
            index.setdefault(fold(label), spec.name)
    for spec in extractable:
        for synonym in spec.synonyms:
            index.setdefault(fold(synonym), spec.name)
    return index


def field_for_label(text: str) -> str | None:
    """The field a written label names ("联系电话", "E-mail：", "【原文】", "3. Name*"), if any."""
    if not text or len(text) > _LONGEST_LABEL * 2:
        return None
    return _label_index().get(_clean_key(text))


# --- values --------------------------------------------------------------------------------------


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _checked_choice(text: str) -> str:
    """From "☐更正 ☑删除" or "[ ] update [x] removal", the words after the ticked box."""
    marked = _CHECKED_BRACKETS.sub(CHECKED_MARKS[0], text)
    marked = _UNCHECKED_BRACKETS.sub(UNCHECKED_MARKS[0], marked)
    if not any(mark in marked for mark in CHECKED_MARKS):
        return text
    found = _AFTER_CHECKED_MARK.search(marked)
    return found.group(1) if found else text


@cache
def _option_words(name: str) -> tuple[tuple[str, str], ...]:
    """(folded word, enum value) for an enum field, longest words first."""
    spec = fields_by_name()[name]
    words: dict[str, str] = {}
    for value, labels in spec.options:
        for word in (value, *labels.values(), *spec.option_synonyms.get(value, ())):
            words.setdefault(fold(word), value)
    return tuple(sorted(words.items(), key=lambda item: -len(item[0])))


def _word_position(word: str, text: str) -> int:
    """Where a word occurs in text; ASCII words must stand alone ("agent" is not in "management")."""
    position = text.find(word)
    if not word.isascii():
        return position
    while position >= 0:
        before, after = text[position - 1 : position], text[position + len(word) : position + len(word) + 1]
        if not _is_word_character(before) and not _is_word_character(after):
            return position
        position = text.find(word, position + 1)
    return -1


def _is_word_character(character: str) -> bool:
    return character != "" and ("a" <= character <= "z" or "0" <= character <= "9")


def enum_value(spec: Field, written: str) -> str:
    """The enum value a person meant; the written text itself when nothing matches (validation says why)."""
    chosen = fold(_checked_choice(written))
    words = _option_words(spec.name)
    for word, value in words:
        if word == chosen:
            return value
    hits = [(position, -len(word), value) for word, value in words if (position := _word_position(word, chosen)) >= 0]
    return min(hits)[2] if hits else written.strip()


@cache
def declaration_sentences(name: str) -> tuple[str, ...]:
    """The schema's declaration sentence in each language, folded (e.g. 本人承诺以上信息真实、准确)."""
    return tuple(fold(sentence) for sentence in fields_by_name()[name].help.values() if sentence)


def _is_unticked(text: str) -> bool:
    has_checked = any(mark in text for mark in CHECKED_MARKS) or _CHECKED_BRACKETS.search(text)
    has_unchecked = any(mark in text for mark in UNCHECKED_MARKS) or _UNCHECKED_BRACKETS.search(text)
    return bool(has_unchecked and not has_checked)


def is_affirmed(spec: Field, written: str) -> bool:
    """Whether a written declaration says yes: a yes-word, a ticked box or the declaration itself."""
    if _is_unticked(written):
        return False
    folded = fold(written).strip("。.!！")
    if folded in _YES_WORDS or any(mark in folded for mark in CHECKED_MARKS):
        return True
    if folded.startswith(_NO_PREFIXES):
        return False
    return folded.startswith(_YES_PREFIXES) or any(s in folded for s in declaration_sentences(spec.name))


def text_affirms(spec: Field, text: str) -> bool:
    """Whether some line of free text carries the declaration sentence, not in an unticked box."""
    sentences = declaration_sentences(spec.name)
    for line in text.splitlines():
        if any(sentence in fold(line) for sentence in sentences) and not _is_unticked(line):
            return True
    return False


def normalise_date(written: str) -> str:
    """2026年3月5日, 2026/3/5, 2026.3.5 -> 2026-03-05; anything else is left for validation to explain."""
    found = _DATE.search(unicodedata.normalize("NFKC", written))
    if found:
        try:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3))).isoformat()
        except ValueError:
            pass
    return _first_line(written)


def _single_value(text: str) -> str:
    value = _first_line(text)
    return value.removeprefix("mailto:").strip("<>").strip()


def convert(name: str, written: str) -> Any | None:
    """The value to put in the request for what was written beside a label; None when nothing usable."""
    spec = fields_by_name()[name]
    if not written.strip():
        return None
    if spec.is_boolean:
        return True if is_affirmed(spec, _first_line(written)) else None
    if "enum" in spec.rules:
        return enum_value(spec, _first_line(written) or written)
    if spec.rules.get("format") == "date":
        return normalise_date(written)
    if spec.widget == "textarea":
        return written.strip()
    value = _single_value(written)
    if spec.one_line:
        value = fold_to_one_line(value)  # control characters would be refused, and are never kept
    return value or None


def boolean_fields() -> list[Field]:
    return [spec for spec in fields() if spec.is_boolean and not spec.honeypot]
