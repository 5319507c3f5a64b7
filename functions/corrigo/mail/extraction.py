"""Find the request's fields in a mail: an attached .docx form, a table in the body, or label lines.

Forms are tried in that order and merged: a field keeps the first value found, so a filled-in
.docx form beats a table in the body, which beats loose ``标签：值`` lines. Which field is which is
read from the schema (see ``labels``). The sender's address is not used here: the caller decides
whether it stands in for a missing ``requester_email``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corrigo.mail.docxform import read_docx
from corrigo.mail.htmltext import read_html, row_line
from corrigo.mail.labels import boolean_fields, convert, field_for_label, text_affirms
from corrigo.mail.limits import ArchiveRefused, Budget, ReadLimits, TooCostlyToRead, cut
from corrigo.mail.parsed import Attachment, ParsedMail
from corrigo.mail.parsing import DEFAULT_LIMITS
from corrigo.mail.quoting import drop_header_blocks, strip_quoted
from corrigo.schema import fields_by_name

SOURCES = ("docx", "table", "lines")
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_COLON = re.compile(r"[:：]")
# "申请人：张三  电话：138…" — a second label after a run of spaces starts a second field. The run is
# matched from its first character only (the lookbehind), once, so a long run costs one pass, not
# one per space; which runs separate fields (two spaces or more, a tab, an ideographic space) is
# checked on the match.
_INLINE_LABEL = re.compile(r"(?<!\s)(\s++)([^\s:：]{1,20})\s*+[:：]")
_REPLY_SUBJECT = re.compile(r"^\s*(re|aw|sv|回复|答复|回覆)\s*[:：]", re.IGNORECASE)
_MARKDOWN_RULE = re.compile(r"^[\s|:\-+]+$")

Pair = tuple[str, str]  # (field name, written value)


@dataclass(frozen=True)
class Extraction:
    """Field values ready for ``corrigo.validation.validate``, and where they were found."""

    data: dict[str, Any] = field(default_factory=dict)
    source: str = "none"  # the first form that gave a value: "docx", "table", "lines" or "none"
    found_in: dict[str, str] = field(default_factory=dict)  # field name -> form
    notes: tuple[str, ...] = ()
    cut_short: str = ""  # why reading stopped before the end (the time budget ran out), if it did


# --- rows of cells (docx tables, HTML tables, text tables) ---------------------------------------


def pairs_from_row(cells: list[str]) -> list[Pair]:
    """Label/value pairs in one table row: label|value, label|value|label|value, or "label：value" cells."""
    cells = [cell.strip() for cell in cells]
    if len(cells) >= 2 and len(cells) % 2 == 0 and all(field_for_label(cells[i]) for i in range(0, len(cells), 2)):
        # The value cell is taken as written even if it happens to be a label word ("Correction").
        return [(field_for_label(cells[i]) or "", cells[i + 1]) for i in range(0, len(cells), 2)]
    pairs: list[Pair] = []
    index = 0
    while index < len(cells):
        name = field_for_label(cells[index])
        if name and index + 1 < len(cells) and not field_for_label(cells[index + 1]):
            pairs.append((name, cells[index + 1]))
            index += 2
            continue
        if name is None and _COLON.search(cells[index]):
            pairs += pairs_from_lines(cells[index].splitlines())
        index += 1
    return pairs


def pairs_from_rows(rows: Iterable[list[str]]) -> list[Pair]:
    """Pairs of every row; a row with an empty first cell continues the previous row's value."""
    pairs: list[Pair] = []
    for cells in rows:
        found = pairs_from_row(cells)
        if found:
            pairs += found
        elif pairs and len(cells) >= 2 and not cells[0].strip() and any(cell.strip() for cell in cells[1:]):
            name, value = pairs[-1]
            pairs[-1] = (name, value + "\n" + " ".join(cell.strip() for cell in cells[1:] if cell.strip()))
    return pairs


def text_table_rows(text: str) -> list[list[str]]:
    """Rows of ``| a | b |`` or tab-separated lines in plain text."""
    rows = []
    for line in text.splitlines():
        if "|" in line and not _MARKDOWN_RULE.match(line):
            cells = line.strip().strip("|").split("|")
        elif "\t" in line.strip():
            cells = line.strip().split("\t")
        else:
            continue
        # Only rows with a bare label cell, or continuing the row above (empty first cell):
        # "原文内容：A | B" is a label line whose value has a bar in it.
        if len(cells) >= 2 and (not cells[0].strip() or any(field_for_label(cell) for cell in cells)):
            rows.append(cells)
    return rows


# --- label lines ---------------------------------------------------------------------------------


def _line_start(line: str) -> list[Pair] | None:
    """The pairs a line starts with, when it begins with a known label; None for a continuation line."""
    stripped = line.strip()
    if not stripped:
        return None
    colon = _COLON.search(stripped)
    name = field_for_label(stripped[: colon.start()]) if colon else None
    if colon and name:
        value, rest = _split_at_inline_label(stripped[colon.end() :])
        more = (_line_start(rest) or []) if rest else []
        return [(name, value), *more]
    if "|" in stripped or "\t" in stripped:
        cells = stripped.strip("|").split("|") if "|" in stripped else stripped.split("\t")
        return pairs_from_row(cells) or None
    if stripped[0] in "【[" and field_for_label(stripped):  # a bare heading label: "【原文内容】"
        return [(field_for_label(stripped) or "", "")]
    return None


def _split_at_inline_label(value: str) -> tuple[str, str]:
    """("张三", "电话：138…") from "张三  电话：138…": a known label after spaces starts another field."""
    for found in _INLINE_LABEL.finditer(value):
        separator = found.group(1)
        if (len(separator) >= 2 or separator in ("\t", "\u3000")) and field_for_label(found.group(2)):
            return value[: found.start()], value[found.start() :]
    return value, ""


def pairs_from_lines(lines: Iterable[str]) -> list[Pair]:
    """``标签：值`` lines; a value runs on over the following lines until a line starts with a label."""
    pairs: list[Pair] = []
    for line in lines:
        started = _line_start(line)
        if started:
            pairs += started
        elif pairs:
            name, value = pairs[-1]
            pairs[-1] = (name, value + "\n" + line)
    return pairs


# --- the forms -----------------------------------------------------------------------------------


def _is_docx(attachment: Attachment) -> bool:
    return attachment.filename.lower().endswith(".docx") or attachment.content_type == _DOCX_TYPE


def _html_tables_outside_quotes(html: str) -> list[list[str]]:
    """Rows of the HTML tables that stand in the new part of the mail, not in a quoted original."""
    content = read_html(html)
    kept_lines = set(strip_quoted(content.text).splitlines())
    rows: list[list[str]] = []
    for table in content.tables:
        if any(row_line(cells) in kept_lines for cells in table):
            rows += table
    return rows


@dataclass
class _Collector:
    data: dict[str, Any] = field(default_factory=dict)
    found_in: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # everything read, for the declaration sentence
    notes: list[str] = field(default_factory=list)
    cut_short: str = ""

    def add(self, pairs: list[Pair], source: str) -> None:
        specs = fields_by_name()
        for name, written in pairs:
            if name in self.data or specs[name].honeypot:
                continue
            value = convert(name, written)
            if value is not None:
                self.data[name] = value
                self.found_in[name] = source

    def result(self) -> Extraction:
        for spec in boolean_fields():
            if spec.name not in self.data and any(text_affirms(spec, text) for text in self.texts):
                self.data[spec.name] = True
                self.found_in[spec.name] = "lines"
        used = [source for source in SOURCES if source in self.found_in.values()]
        return Extraction(
            data=self.data,
            source=used[0] if used else "none",
            found_in=self.found_in,
            notes=tuple(self.notes),
            cut_short=self.cut_short,
        )


def _read_docx(attachment: Attachment, limits: ReadLimits, collector: _Collector) -> None:
    name = attachment.filename or "a .docx attachment"
    if attachment.size > limits.docx_max_bytes:
        collector.notes.append(f"{name} not read: larger than {limits.docx_max_bytes:,} bytes")
        return
    try:
        content = read_docx(attachment.data, limits)
    except ArchiveRefused as refused:
        collector.notes.append(f"{name} not read: {refused}")
        return
    except Exception as exc:  # a corrupt file from the public is not our failure
        collector.notes.append(f"could not read {name}: {exc}")
        return
    collector.notes += [f"{name}: {note}" for note in content.notes]
    text = content.text + "\n" + "\n".join(row_line(cells) for cells in content.rows)
    collector.add(pairs_from_rows(content.rows) + pairs_from_lines(content.text.splitlines()), "docx")
    collector.texts.append(text)


def _collect(mail: ParsedMail, collector: _Collector, limits: ReadLimits, budget: Budget) -> None:
    """Each form in turn, the time budget checked before each step: what was read stays read."""
    for attachment in mail.attachments:
        if _is_docx(attachment):
            budget.check(f"reading {attachment.filename or 'a .docx attachment'}")
            _read_docx(attachment, limits, collector)
        elif attachment.filename.lower().endswith(".doc"):
            collector.notes.append(f"{attachment.filename}: old Word .doc files are not read; .docx is")

    budget.check("reading the text")
    text = cut(mail.text, limits.max_text_chars)
    html = cut(mail.html, limits.max_html_chars)
    html_rows, text_rows, lines, read_text = _read_text(html, strip_quoted(text))
    if not (html_rows or text_rows or lines) and not _is_reply(mail):
        budget.check("reading a form forwarded inline")
        # A form forwarded inline sits below a "Forwarded message" line that strip_quoted cut.
        html_rows, text_rows, lines, read_text = _read_text(html, drop_header_blocks(text))
    collector.add(html_rows, "table")
    collector.add(text_rows, "table")
    collector.add(lines, "lines")
    collector.texts.append(read_text)


def _read_text(html: str, text: str) -> tuple[list[Pair], list[Pair], list[Pair], str]:
    """(pairs from HTML tables, from text tables, from label lines, the text read)."""
    html_rows = pairs_from_rows(_html_tables_outside_quotes(html)) if html else []
    return html_rows, pairs_from_rows(text_table_rows(text)), pairs_from_lines(text.splitlines()), text


def _is_reply(mail: ParsedMail) -> bool:
    return mail.in_reply_to is not None or bool(_REPLY_SUBJECT.match(mail.subject))


def extract_fields(mail: ParsedMail, limits: ReadLimits = DEFAULT_LIMITS, budget: Budget | None = None) -> Extraction:
    """The request fields found in a mail, or in the mail it forwards when it has none of its own.

    Reads no more than ``limits`` allow. When ``budget`` runs out between two steps, the fields
    read so far are returned with ``cut_short`` saying where reading stopped."""
    budget = budget or Budget.unlimited()
    collector = _Collector()
    try:
        _collect(mail, collector, limits, budget)
        result = collector.result()
        if result.data:
            return result
        for forwarded in mail.forwarded:
            budget.check("reading a forwarded message")
            inner = extract_fields(forwarded, limits, budget)
            if inner.data or inner.cut_short:
                return inner
    except TooCostlyToRead as stopped:
        collector.cut_short = str(stopped)
    return collector.result()
