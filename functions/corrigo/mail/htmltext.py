"""HTML mail to plain text, keeping what a form needs: table rows and line breaks.

A request mailed from a webmail editor often arrives HTML-only, with the form pasted as a
table. Rows become ``cell | cell`` lines so the text extractor sees label and value side by
side; the tables are also returned as rows of cells (line breaks inside a cell kept) for the
table extractor. Script, style and head content never reach the text.

The HTML is read by libxml2 (lxml, already here for python-docx), not the standard library's
html.parser: on malformed input such as ``<a <a <a …`` html.parser rescans what it has not
consumed yet at every step, quadratic in the input (20,000 characters took over 5 s of CPU here),
where libxml2 makes one pass. The converter receives libxml2's events through a parser target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Elements that end a line of text where they open or close.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "ul", "caption",
}  # fmt: skip
_HIDDEN = {"script", "style", "head", "title", "template", "noscript", "xml"}
_CELLS = {"td", "th"}
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class _Table:
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] | None = None
    cell: list[str] | None = None  # the open cell's text pieces


@dataclass
class HtmlContent:
    """The readable text of an HTML document and the tables in it (innermost tables as rows of cells)."""

    text: str
    tables: list[list[list[str]]]


class _Converter:
    """An lxml parser target: libxml2 calls start, end and data; implied end tags are reported too."""

    def __init__(self) -> None:
        self.document: list[str] = []
        self.tables: list[_Table] = []  # open tables, innermost last
        self.finished_tables: list[list[list[str]]] = []
        self.hidden_depth = 0
        self.in_pre = 0

    # -- writing ------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        """Into the innermost open cell, or the document when no cell is open."""
        for table in reversed(self.tables):
            if table.cell is not None:
                table.cell.append(text)
                return
        self.document.append(text)

    def _line_break(self) -> None:
        self._write("\n")

    # -- cells, rows and tables (closing whatever HTML left open) ---------------------------------

    def _open_cell(self) -> None:
        table = self.tables[-1]
        self._close_cell()
        if table.row is None:
            table.row = []
        table.cell = []

    def _close_cell(self) -> None:
        table = self.tables[-1]
        if table.cell is None:
            return
        text = _tidy("".join(table.cell))
        table.cell = None
        if table.row is None:
            table.row = []
        table.row.append(text)

    def _close_row(self) -> None:
        self._close_cell()
        table = self.tables[-1]
        row, table.row = table.row, None
        if not row or not any(row):
            return
        table.rows.append(row)
        self._write("\n" + row_line(row) + "\n")

    def _close_table(self) -> None:
        self._close_row()
        finished = self.tables.pop()
        if finished.rows:
            self.finished_tables.append(finished.rows)

    # -- parser target (lxml) -----------------------------------------------------------------------

    def start(self, tag: str, attrib: Any) -> None:
        self.handle_starttag(str(tag).lower(), [(str(k), None if v is None else str(v)) for k, v in attrib.items()])

    def end(self, tag: str) -> None:
        self.handle_endtag(str(tag).lower())

    def data(self, data: str) -> None:
        self.handle_data(data)

    def close(self) -> None:
        return None

    # -- events -----------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden_depth += 1
        elif tag == "table":
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self._close_row()
            self.tables[-1].row = []
        elif tag in _CELLS and self.tables:
            self._open_cell()
        elif tag == "br":
            self._line_break()
        elif tag in _BLOCKS:
            self.in_pre += tag == "pre"
            self._line_break()
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._write(alt)
        elif tag == "input" and dict(attrs).get("type") == "checkbox":
            self._write("☑" if "checked" in dict(attrs) else "☐")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag == "table" and self.tables:
            self._close_table()
        elif tag == "tr" and self.tables:
            self._close_row()
        elif tag in _CELLS and self.tables:
            self._close_cell()
        elif tag in _BLOCKS:
            self.in_pre = max(0, self.in_pre - (tag == "pre"))
            self._line_break()

    def handle_data(self, data: str) -> None:
        if self.hidden_depth:
            return
        self._write(data if self.in_pre else _SPACES.sub(" ", data))

    def result(self) -> HtmlContent:
        while self.tables:
            self._close_table()
        return HtmlContent(text=_tidy("".join(self.document)), tables=self.finished_tables)


def row_line(cells: list[str]) -> str:
    """A table row as one text line, ``cell | cell``; a one-cell row (layout, not a form) as it is."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if len(filled) == 1:
        return filled[0]
    return " | ".join(_SPACES.sub(" ", cell) for cell in filled)


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def read_html(html: str) -> HtmlContent:
    """Text and tables of an HTML document; broken HTML gives what could be read, never an error."""
    from lxml import etree  # type: ignore[import-untyped]  # imported here: a plain-text mail never needs it

    converter = _Converter()
    parser = etree.HTMLParser(target=converter, recover=True, no_network=True, remove_pis=True)
    try:
        parser.feed(html)
        parser.close()
    except (etree.LxmlError, ValueError):  # what libxml2 could not recover from: keep what was read
        pass
    return converter.result()


def html_to_text(html: str) -> str:
    return read_html(html).text
