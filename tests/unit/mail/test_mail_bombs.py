"""Bounded work per mail: a hostile .docx is refused from its central directory before python-docx
opens it, a .docx that passes is read only so far, and the time budget stops the rest.

The bombs are built here, small on the wire: a document.xml of a million empty paragraphs (42 KB,
6 MB inflated; before the limits python-docx took 33 s to 170 s and +326 MB on it), a member of
zeros compressed a thousand to one, thousands of members, zips nested in zips.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from corrigo.mail import extract_fields, parse_mail
from tests.support.hostile_mail import (
    form_docx,
    mail_with,
    million_empty_paragraphs,
    pathological_line,
    pathological_line_mail,
    plain_zip,
    rezip,
)

SECONDS = 5  # what reading one of these mails may take at most, on a busy machine


class Overrun(BaseException):
    """Not an Exception, so that the code under test cannot catch it as a broken attachment."""


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: the unbounded code took minutes on these files."""

    def stop(signum: int, frame: object) -> None:
        raise Overrun(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read(raw: bytes):
    with at_most(SECONDS):
        return extract_fields(parse_mail(raw))


# ---- bombs: refused before python-docx opens them; the rest of the mail is still read --------------------


def test_a_million_empty_paragraphs_are_not_opened() -> None:
    bomb = million_empty_paragraphs()
    assert len(bomb) < 50_000

    extraction = read(mail_with(bomb))

    assert extraction.data["requester_name"] == "李四"  # the body is still read
    assert extraction.found_in == {"requester_name": "lines"}
    assert any(note.startswith("申请表.docx not read: ") for note in extraction.notes), extraction.notes


def test_a_member_compressed_a_thousand_to_one_is_refused() -> None:
    bomb = rezip(form_docx(), extra=[("word/media/zeros.bin", b"\0" * (8 * 1024 * 1024))])

    extraction = read(mail_with(bomb))

    assert "article_title" not in extraction.data
    assert any("compressed" in note and "to 1" in note for note in extraction.notes), extraction.notes


def test_too_many_members_are_refused_from_the_end_record() -> None:
    bomb = rezip(form_docx(), extra=[(f"customXml/extra{n}.xml", b"") for n in range(5_000)])

    extraction = read(mail_with(bomb))

    assert "article_title" not in extraction.data
    assert any("members" in note for note in extraction.notes), extraction.notes


def test_a_zip_in_a_zip_in_a_docx_is_refused_one_level_is_read() -> None:
    inner = plain_zip([("sheet.xml", b"<x/>")])
    one_level = rezip(form_docx(), extra=[("word/embeddings/chart.xlsx", inner)])
    two_levels = rezip(form_docx(), extra=[("word/embeddings/chart.xlsx", plain_zip([("deeper.zip", inner)]))])

    assert read(mail_with(one_level)).data["article_title"] == "某地发生交通事故"
    refused = read(mail_with(two_levels))
    assert "article_title" not in refused.data
    assert any("nested 2 deep" in note for note in refused.notes), refused.notes


def test_an_ordinary_form_is_still_read() -> None:
    assert read(mail_with(form_docx())).data["requester_phone"] == "13800000000"


# ---- text is cut before any regular expression sees it -------------------------------------------------------


def test_parsed_text_html_and_headers_are_cut_to_their_limits() -> None:
    message = EmailMessage()
    message["From"], message["To"] = "li@example.org", "lxwm@news.example.cn"
    message["Subject"] = "长" * 40_000
    message.set_content("申请人：李四\n" + "a" * 300_000)
    message.add_alternative("<p>" + "b" * 2_000_000 + "</p>", subtype="html")

    mail = parse_mail(message.as_bytes())

    assert len(mail.text) <= 200_000 and mail.text.startswith("申请人：李四")
    assert len(mail.html) <= 1_000_000
    assert len(mail.subject) <= 16_000
    assert any("text of" in problem for problem in mail.problems), mail.problems


def test_a_200_kb_pathological_line_is_read_in_linear_time() -> None:
    mail = parse_mail(pathological_line_mail())
    assert mail.text == pathological_line()

    extraction = read(pathological_line_mail())

    assert extraction.data["requester_name"].startswith("张三")
