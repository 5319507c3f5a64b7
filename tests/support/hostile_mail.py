"""Mails built to cost a reader as much as possible (issue 9): .docx bombs and pathological lines.

Small on the wire, expensive for a reader without limits: a document.xml of a million empty
paragraphs (42 KB, 6 MB inflated), zips nested in zips, and single lines of 200,000 characters
that made backtracking regular expressions run for minutes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid

import docx

from tests.support.mail_forms import INTAKE, as_smtp_bytes

FORM = [("稿件标题", "某地发生交通事故"), ("申请人", "张三"), ("联系电话", "13800000000")]
LINE_CHARACTERS = 200_000


def form_docx(rows: list[tuple[str, str]] = FORM, paragraphs: tuple[str, ...] = ()) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes] = lambda name, body: body, extra=()) -> bytes:
    """The same package with some members changed and others added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
        for name, body in extra:
            target.writestr(name, body)
    return out.getvalue()


def million_empty_paragraphs() -> bytes:
    def change(name: str, body: bytes) -> bytes:
        if name != "word/document.xml":
            return body
        head, _, _ = body.decode().partition("<w:body>")
        return (head + "<w:body>" + "<w:p/>" * 1_000_000 + "<w:sectPr/></w:body></w:document>").encode()

    return rezip(form_docx(), change)


def plain_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, body in members:
            target.writestr(name, body)
    return out.getvalue()


def mail_with(attachment: bytes, body: str = "申请人：李四\n", sender: str = "li@example.org") -> bytes:
    """A mail with a .docx attached, as a client sends it (CRLF line ends)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, INTAKE, "申请"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(body)
    message.add_attachment(
        attachment,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="申请表.docx",
    )
    return as_smtp_bytes(message)


def pathological_line() -> str:
    """One line of 200,000 characters: a label, then a run of spaces (a second label was looked for
    from every one of them), then a run of "于" (an attribution "…于…写道" was looked for between
    every two of them)."""
    half = LINE_CHARACTERS // 2
    return ("申请人：张三" + " " * half + "于" * half)[:LINE_CHARACTERS]


def pathological_line_mail(sender: str = "li@example.org") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, INTAKE, "申请"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(pathological_line() + "\n", cte="base64")  # SMTP lines stay short; the text does not
    return as_smtp_bytes(message)
