"""The limits' parts one by one: the archive checks, the caps on what a .docx gives, the time budget."""

from __future__ import annotations

import io

import docx
import pytest

from corrigo.mail import extract_fields, parse_mail
from corrigo.mail.docxform import read_docx
from corrigo.mail.limits import ArchiveRefused, Budget, ReadLimits, TooCostlyToRead, check_archive, cut
from tests.support.hostile_mail import FORM, form_docx, mail_with, plain_zip

# ---- archives ---------------------------------------------------------------------------------------------


def test_more_than_the_total_uncompressed_size_is_refused() -> None:
    limits = ReadLimits(archive_max_uncompressed_bytes=100_000)

    with pytest.raises(ArchiveRefused, match="inflates to"):
        check_archive(form_docx(), limits)  # python-docx's template alone inflates to 800 KB


def test_a_nested_bomb_is_checked_with_the_same_limits() -> None:
    inner = plain_zip([("zeros.bin", b"\0" * (2 * 1024 * 1024))])

    with pytest.raises(ArchiveRefused, match=r"compressed \d+ to 1"):
        check_archive(plain_zip([("inner.zip", inner)]), ReadLimits())


def test_a_docx_over_its_size_limit_is_kept_but_not_read() -> None:
    mail = parse_mail(mail_with(form_docx()))

    extraction = extract_fields(mail, ReadLimits(docx_max_bytes=1_000))

    assert "article_title" not in extraction.data
    assert any("larger than" in note for note in extraction.notes), extraction.notes


def test_an_ordinary_form_passes_every_check() -> None:
    check_archive(form_docx(), ReadLimits())


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(ArchiveRefused):
        check_archive(b"PK not really a zip", ReadLimits())


def test_cut_keeps_short_text_whole() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("abcd", 3) == "abc"


# ---- a .docx that passes is read only so far ---------------------------------------------------------------


def fields_read(data: bytes, limits: ReadLimits) -> tuple[dict[str, object], tuple[str, ...]]:
    extraction = extract_fields(parse_mail(mail_with(data, body="见附件")), limits)
    return extraction.data, extraction.notes


def test_paragraphs_after_the_cap_are_not_read() -> None:
    data = form_docx(rows=[], paragraphs=("申请人：张三", "前言", "联系电话：13800000000"))

    fields, notes = fields_read(data, ReadLimits(docx_max_paragraphs=2))

    assert fields == {"requester_name": "张三"}
    assert any("paragraphs after the first 2 not read" in note for note in notes), notes


def test_table_cells_after_the_cap_are_not_read() -> None:
    fields, notes = fields_read(form_docx(), ReadLimits(docx_max_table_cells=4))

    assert fields == {"article_title": "某地发生交通事故", "requester_name": "张三"}
    assert any("cells after the first 4 not read" in note for note in notes), notes


def test_docx_text_is_cut_to_the_text_limit() -> None:
    data = form_docx(rows=[], paragraphs=("申请人：张三", "x" * 5_000, "联系电话：13800000000"))

    content = read_docx(data, ReadLimits(max_text_chars=1_000))

    assert len(content.text) <= 1_000 and content.text.startswith("申请人：张三")
    assert any("text after the first 1000 characters not read" in note for note in content.notes)


def test_a_vertically_merged_label_continues_the_value_above() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "原文内容"
    table.cell(0, 1).text, table.cell(1, 1).text = "第一段", "第二段"
    buffer = io.BytesIO()
    document.save(buffer)

    fields, _ = fields_read(buffer.getvalue(), ReadLimits())

    assert fields == {"original_text": "第一段\n第二段"}


# ---- the time budget -----------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_raises_only_once_spent() -> None:
    clock = FakeClock()
    budget = Budget(10, clock)
    clock.now = 10
    budget.check("step one")
    clock.now = 10.5

    with pytest.raises(TooCostlyToRead, match="before step two"):
        budget.check("step two")


def test_extraction_stops_between_steps_and_keeps_what_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    budget = Budget(1, clock)
    mail = parse_mail(mail_with(form_docx(rows=FORM[:1]), body="联系电话：13900000000\n"))

    def slow_docx_reader(*args: object, **kwargs: object):
        clock.now += 2  # the .docx took longer than the whole budget
        return real_read_docx(*args, **kwargs)

    from corrigo.mail import extraction as module

    real_read_docx = module.read_docx
    monkeypatch.setattr(module, "read_docx", slow_docx_reader)

    extraction = extract_fields(mail, ReadLimits(), budget)

    assert extraction.cut_short and "too costly to read" in extraction.cut_short
    assert extraction.data["article_title"] == "某地发生交通事故"  # read before the budget ran out
    assert "requester_phone" not in extraction.data  # the body came after it


# ---- settings ------------------------------------------------------------------------------------------------


def test_limits_are_read_from_the_environment_once_with_documented_defaults() -> None:
    from corrigo.config import ConfigError
    from corrigo.mail.config import mail_settings_from

    default = mail_settings_from({"RAW_MAIL_BUCKET": "b"}).limits
    changed = mail_settings_from(
        {"RAW_MAIL_BUCKET": "b", "MAIL_ARCHIVE_MAX_RATIO": "50", "MAIL_READ_BUDGET_SECONDS": "5"}
    ).limits

    assert default == ReadLimits()
    assert (changed.archive_max_ratio, changed.read_budget_seconds) == (50, 5)
    with pytest.raises(ConfigError, match="MAIL_DOCX_MAX_PARAGRAPHS"):
        mail_settings_from({"RAW_MAIL_BUCKET": "b", "MAIL_DOCX_MAX_PARAGRAPHS": "many"})


def test_every_limit_is_documented() -> None:
    from pathlib import Path

    from corrigo.mail.config import LIMIT_VARIABLES

    operations = (Path(__file__).resolve().parents[3] / "docs" / "operations.md").read_text(encoding="utf-8")
    assert [name for name in LIMIT_VARIABLES if f"`{name}`" not in operations] == []
