"""Read a .docx form's text within the limits: table rows as cells, and the body's paragraphs.

The archive is checked from its central directory first (``limits.check_archive``); only a file
that passes is given to python-docx. The body is then read from the XML directly, up to a number
of paragraphs and table cells: python-docx's ``document.paragraphs`` builds an object for every
paragraph (33 s and more for a million empty ones), and its ``row.cells`` walks up every vertical
merge for every cell, quadratic in a tall merged column.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from corrigo.mail.limits import ReadLimits, check_archive, cut

# Tables inside tables inside tables are layout, not a form; deeper ones are not read.
MAX_TABLE_DEPTH = 3


@dataclass
class DocxContent:
    """What a .docx says: its tables' rows (a cell's paragraphs joined by line breaks), its body's
    paragraph text, and what was left unread."""

    rows: list[list[str]] = field(default_factory=list)
    text: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class _Reader:
    limits: ReadLimits
    content: DocxContent = field(default_factory=DocxContent)
    paragraphs: list[str] = field(default_factory=list)
    characters: int = 0
    cells: int = 0

    def paragraph(self, element: Any) -> None:
        if len(self.paragraphs) >= self.limits.docx_max_paragraphs:
            self._note(f"paragraphs after the first {self.limits.docx_max_paragraphs} not read")
            return
        if self.characters >= self.limits.max_text_chars:
            self._note(f"text after the first {self.limits.max_text_chars} characters not read")
            return
        text = cut(str(element.text), self.limits.max_text_chars - self.characters)
        self.characters += len(text) + 1
        self.paragraphs.append(text)

    def table(self, element: Any, depth: int) -> None:
        if depth >= MAX_TABLE_DEPTH:
            self._note(f"tables nested more than {MAX_TABLE_DEPTH} deep not read")
            return
        for row in element.iterchildren(_tag("w:tr")):
            if self.cells_spent():
                return
            cells: list[str] = []
            for cell in row.iterchildren(_tag("w:tc")):
                if self.cells_spent():
                    break
                self.cells += 1
                # A cell spanning several grid columns is one w:tc; a vertically merged one is
                # empty below its first row, which continues the row above (pairs_from_rows).
                cells.append(self._cell_text(cell))
                for inner in cell.iterchildren(_tag("w:tbl")):
                    self.table(inner, depth + 1)
            if cells:
                self.content.rows.append(cells)

    def cells_spent(self) -> bool:
        """True once the cap is reached (noted: this is asked only when another cell or row is there)."""
        if self.cells < self.limits.docx_max_table_cells:
            return False
        self._note(f"table cells after the first {self.limits.docx_max_table_cells} not read")
        return True

    def _cell_text(self, cell: Any) -> str:
        remaining = max(0, self.limits.max_text_chars - self.characters)
        text = cut("\n".join(str(p.text) for p in cell.iterchildren(_tag("w:p"))), remaining)
        self.characters += len(text)
        return text

    def _note(self, note: str) -> None:
        if note not in self.content.notes:
            self.content.notes.append(note)

    def result(self) -> DocxContent:
        self.content.text = "\n".join(self.paragraphs)
        return self.content


def _tag(name: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(name))


def _body_blocks(body: Any) -> Iterator[Any]:
    yield from body.iterchildren(_tag("w:p"), _tag("w:tbl"))


def read_docx(data: bytes, limits: ReadLimits) -> DocxContent:
    """The form's rows and paragraphs. Raises ArchiveRefused for a file over the limits, and
    python-docx's errors for one that is not a Word document."""
    check_archive(data, limits)
    import docx  # python-docx: imported here so that reading a plain mail does not pay for lxml

    reader = _Reader(limits)
    paragraph, table = _tag("w:p"), _tag("w:tbl")
    for block in _body_blocks(docx.Document(io.BytesIO(data)).element.body):
        if block.tag == paragraph:
            reader.paragraph(block)
        elif block.tag == table:
            reader.table(block, depth=0)
    return reader.result()
