"""One-line fields (name, title, organisation, phone) hold one line of text: the API refuses line
breaks and control characters in them, naming each field in the request's language, and mail
extraction folds them to spaces, so `王喆\\r\\nBcc: x@y` is never stored or quoted as it is."""

import json

import pytest

from corrigo.mail import extract_fields, parse_mail
from corrigo.schema import fields, schema_dir
from corrigo.validation import validate

DOMAINS = ("news.example.cn",)
ONE_LINE = ("article_title", "requester_name", "requester_organization", "requester_phone")


@pytest.fixture
def document() -> dict:
    return json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))


def test_the_schema_names_the_one_line_fields():
    assert tuple(spec.name for spec in fields() if spec.one_line) == ONE_LINE


@pytest.mark.parametrize(
    "bad",
    [
        "王喆\r\nBcc: x@y",
        "王喆\nBcc: x@y",
        "王喆\rBcc",
        "王\u2028喆",
        "王\u2029喆",
        "王\u0085喆",
        "王\x0b喆",
        "王\x0c喆",
        "王\x00喆",
        "王\x1b[31m喆",
        "王\x7f喆",
        "王\t喆",
        "王\u202e喆",
        "王\u2066喆",
    ],
)
def test_a_line_break_or_control_character_in_a_name_is_refused(document, bad):
    result = validate({**document, "requester_name": bad}, domains=DOMAINS)
    assert [e.field for e in result.errors] == ["requester_name"]


def test_each_one_line_field_is_named_in_the_requests_language(document):
    hostile = {name: "13800000000\r\nBcc: x@y" if name == "requester_phone" else "A\r\nBcc: x@y" for name in ONE_LINE}
    zh = validate({**document, **hostile}, domains=DOMAINS, language="zh").errors
    en = validate({**document, **hostile}, domains=DOMAINS, language="en").errors
    assert [e.field for e in zh] == [e.field for e in en] == list(ONE_LINE)
    assert zh[1].message == "申请人：只能填写一行，不能包含换行或控制字符"
    assert en[1].message == "Your name must be a single line, without line breaks or control characters"
    assert en[0].message.startswith("Article title must be a single line")
    assert zh[2].message.startswith("单位：只能填写一行")
    assert "phone" in en[3].message.lower()


def test_long_texts_keep_their_line_breaks_and_names_their_spaces(document):
    result = validate(
        {**document, "original_text": "第一段\r\n第二段", "reason": "a\n\tb", "requester_name": "Li  Wei 李伟"},
        domains=DOMAINS,
    )
    assert result.errors == []


def text_mail(body: str) -> bytes:
    head = "From: zs@example.com\r\nTo: lxwm@news.example.cn\r\nSubject: 更正申请\r\n"
    head += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    return head.encode("utf-8") + body.encode("utf-8")


def test_mail_extraction_folds_control_characters_in_one_line_fields_to_spaces():
    body = "稿件标题：某地\t交通\x1b[2J事故\r\n申请人：王喆\u202e\x00 先生\r\n单位：某某\x0b公司\r\n联系电话：138\x000000 0000\r\n"
    data = extract_fields(parse_mail(text_mail(body))).data
    assert data["article_title"] == "某地 交通 [2J事故"
    assert data["requester_name"] == "王喆 先生"
    assert data["requester_organization"] == "某某"  # a vertical tab ends the line, as a line break does
    assert data["requester_phone"] == "138 0000 0000"


@pytest.mark.parametrize(
    "body",
    [
        "申请人：王喆\r\nBcc: x@y\r\n",
        "| 申请人 | 王喆\rBcc: x@y |\r\n",
        "申请人：王喆\u2028Bcc: x@y\r\n",
    ],
)
def test_a_header_injected_through_a_mailed_name_is_never_kept_as_is(body):
    data = extract_fields(parse_mail(text_mail(body))).data
    name = data["requester_name"]
    assert "\r" not in name and "\n" not in name and "\u2028" not in name
    assert not [e for e in validate(data, domains=DOMAINS).errors if e.field == "requester_name"]
