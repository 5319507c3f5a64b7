"""Every real-world mail beside the repo parses, and the hard ones decode to readable text.

The mails live in tests/fixtures/real-world/mails (public parser test suites; sources and licences
in its INDEX.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corrigo.mail import ParsedMail, extract_fields, parse_mail
from tests.support.events import REAL_WORLD

MAILS = REAL_WORLD / "mails"
ALL_MAILS = sorted(path for path in MAILS.rglob("*") if path.is_file() and path.name != "INDEX.md")


def test_the_real_world_mails_are_in_the_repository() -> None:
    assert len(ALL_MAILS) >= 19, f"expected the real-world mails under {MAILS}"


def parsed(relative: str) -> ParsedMail:
    return parse_mail((MAILS / relative).read_bytes())


@pytest.mark.parametrize("path", ALL_MAILS, ids=lambda path: str(path.relative_to(MAILS)))
def test_every_real_mail_parses_without_error_and_extraction_takes_it(path: Path) -> None:
    mail = parse_mail(path.read_bytes())

    assert mail.subject.strip()
    assert mail.text.strip() or mail.attachments or mail.forwarded
    assert "\ufffd" not in mail.subject
    assert not any(problem.startswith(("unparseable", "could not read")) for problem in mail.problems)
    extract_fields(mail)  # must not raise either


@pytest.mark.parametrize(
    ("relative", "subject", "in_text"),
    [
        ("bestpractical-rt/new-ticket-from-gb18030", "测试", "测试"),
        ("SpamScope-mail-parser/mail_test_12", "代开各地增值税发票", "增值税发票"),
        ("SpamScope-mail-parser/mail_test_9", "我把镜头拉近些", "这种场合"),
        (
            "lkml/lkml-20011220-davidchow-big5.eml",
            "Re: nfsroot dead slow with redhat 7.2",
            "在 週四, 2001-12-20 10:39, Trond Myklebust 寫道：",
        ),
        ("mikel-mail/japanese_iso_2022.eml", "まみむめも", "すみません。"),
        ("mikel-mail/japanese_shift_jis.eml", "test", "このメールはテスト用のメールです。"),
        ("mikel-mail/ks_c_5601-1987.eml", "test", "스티해"),
        ("mikel-mail/attachment_pdf.eml", "Another PDF with 🎉 Unicode chars in it 🍿", "Just attaching another PDF"),
        ("bestpractical-rt/text-html-with-umlaut", "An example of mail", "Mit freundlichen Grüßen"),
        (
            "bestpractical-rt/multipart-alternative-with-umlaut",
            "RE: [rt-users] HTML-encoded mails with umlaute",
            "Grüßen",
        ),
    ],
)
def test_cjk_and_european_charsets_decode_to_readable_text(relative: str, subject: str, in_text: str) -> None:
    mail = parsed(relative)

    assert mail.subject.startswith(subject)
    assert in_text in mail.text
    assert "\ufffd" not in mail.text


def test_gb2312_labelled_sender_name_and_raw_utf8_recipient_are_decoded() -> None:
    mail = parsed("SpamScope-mail-parser/mail_test_12")

    assert mail.from_name == "张先生"
    assert mail.from_address == "baoguan@hotmail.com"
    assert mail.to == ("danglüe@email.com",)


def test_html_only_gb2312_mail_becomes_text_without_markup() -> None:
    mail = parsed("SpamScope-mail-parser/mail_test_9")

    assert mail.html
    assert "<" not in mail.text


def test_big5_declared_but_relayed_as_latin1_utf8_is_repaired() -> None:
    mail = parsed("mikel-mail/content_transfer_encoding_empty.eml")

    assert "大家說英語" in mail.subject
    assert "軟體帝國更新迅速" in mail.text


def test_mail_without_content_type_still_gives_a_body() -> None:
    mail = parsed("bestpractical-rt/russian-subject-no-content-type")

    assert mail.from_address == "mitya@fling-wing.example.com"
    assert mail.text  # undeclared Cyrillic bytes are guessed as GB18030 (a Chinese site's best bet)


def test_nested_rfc822_yields_the_forwarded_message() -> None:
    mail = parsed("bestpractical-rt/nested-rfc-822")

    assert len(mail.forwarded) == 1
    assert mail.forwarded[0].subject == "Re: [Para] Nivåer?"
    assert "Jakob Carlsson" in mail.forwarded[0].text
    assert mail.text.startswith("Material för att uppdatera texten om nivåer.")


def test_rfc2231_continued_iso_2022_jp_filename_is_decoded() -> None:
    mail = parsed("bestpractical-rt/rfc2231-attachment-filename-continuations")

    assert [attachment.filename for attachment in mail.attachments] == ["新しいテキスト ドキュメント.txt"]
    assert mail.text == "Some data in a file"


def test_raw_8bit_attachment_filename_is_decoded() -> None:
    mail = parsed("mikel-mail/attachment_nonascii_filename.eml")

    assert [attachment.filename for attachment in mail.attachments] == ["ciële.txt"]


def test_pdf_attachment_keeps_its_bytes() -> None:
    mail = parsed("mikel-mail/attachment_pdf.eml")

    (pdf,) = mail.attachments
    assert (pdf.filename, pdf.content_type) == ("broken.pdf", "application/pdf")
    assert pdf.data.startswith(b"%PDF")
    assert pdf.size == len(pdf.data)


@pytest.mark.parametrize(
    ("relative", "recipients", "returned_id"),
    [
        (
            "bestpractical-rt/multipart-report",
            ("jesmund@mailbox.other.example.com",),
            "200308221615.h7MGFGac020135@mx12.other.example.com",
        ),
        (
            "SpamScope-mail-parser/mail_malformed_2",
            ("abh@netpar.com.br",),
            "004801d1fc84$01c934ac$b247f0b7$@infospacemail.com",
        ),
        (
            "mailgun-flanker/zed.eml",
            ("asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com",),
            "20090708054735.GC7578@example.com",
        ),
    ],
)
def test_delivery_reports_are_bounces_naming_the_recipient_and_message(
    relative: str, recipients: tuple[str, ...], returned_id: str
) -> None:
    mail = parsed(relative)

    assert mail.is_bounce
    assert mail.is_auto_generated
    assert mail.bounced_recipients == recipients
    assert mail.bounced_message_id == returned_id


def test_auto_replied_header_is_a_loop_signal() -> None:
    mail = parsed("mailgun-flanker/zed.eml")

    assert mail.auto_submitted == "auto-replied"


def test_person_written_mails_are_not_auto_generated() -> None:
    for relative in (
        "bestpractical-rt/nested-rfc-822",
        "mikel-mail/japanese_shift_jis.eml",
        "lkml/lkml-20011220-davidchow-big5.eml",
    ):
        mail = parsed(relative)
        assert not mail.is_auto_generated, relative
        assert not mail.is_bounce, relative


def test_duplicate_in_reply_to_takes_the_first() -> None:
    mail = parsed("lkml/lkml-20011220-davidchow-big5.eml")

    assert mail.message_id == "1008836323.972.6.camel@star7.planet.rcn.com.hk"
    assert mail.in_reply_to == "15393.20331.862567.47007@charged.uio.no"
