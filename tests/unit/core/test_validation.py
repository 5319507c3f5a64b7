from datetime import date, datetime, timedelta

import pytest

from corrigo.validation import SITE_TIMEZONE, normalise, validate

DOMAINS = ("news.example.cn", "m.news.example.cn")


@pytest.fixture
def good() -> dict:
    return {
        "request_type": "removal",
        "article_url": "https://news.example.cn/a/1.html",
        "article_title": "标题",
        "published_on": "2026-01-05",
        "original_text": "原文",
        "requested_change": "删除",
        "reason": "不实",
        "requester_name": "王五",
        "requester_organization": "个人",
        "requester_phone": "010-12345678",
        "requester_email": "wang@example.com",
        "relationship": "subject",
        "declaration": True,
    }


def test_a_complete_request_passes(good):
    assert validate(good, domains=DOMAINS).ok


def test_every_problem_is_named_at_once_in_chinese(good):
    bad = dict(good, article_url="https://other.example.com/x", requester_email="nope", declaration=False)
    errors = validate(bad, domains=DOMAINS, language="zh").errors
    assert [(e.field, e.message) for e in errors] == [
        ("article_url", "稿件链接：必须是本网站（news.example.cn、m.news.example.cn）的稿件链接"),
        ("requester_email", "电子邮箱：请填写有效的电子邮箱地址"),
        ("declaration", "声明：请勾选声明，承诺以上信息真实、准确"),
    ]


def test_messages_in_english_read_as_sentences(good):
    del good["article_title"]
    errors = validate(dict(good, published_on="2026-13-01"), domains=DOMAINS, language="en").errors
    assert [e.message for e in errors] == [
        "Article title is required",
        "Publication date must be a real date written YYYY-MM-DD",
    ]


def test_subdomains_of_the_site_are_accepted_and_look_alikes_are_not(good):
    assert validate(dict(good, article_url="https://m.news.example.cn/x"), domains=DOMAINS).ok
    assert validate(dict(good, article_url="https://www.news.example.cn/x"), domains=DOMAINS).ok
    assert not validate(dict(good, article_url="https://evilnews.example.cn/x"), domains=DOMAINS).ok
    assert not validate(dict(good, article_url="https://news.example.cn.evil.com/x"), domains=DOMAINS).ok


def test_today_in_beijing_is_not_the_future_but_tomorrow_is(good):
    today = datetime.now(SITE_TIMEZONE).date()
    assert validate(dict(good, published_on=today.isoformat()), domains=DOMAINS).ok
    tomorrow = today + timedelta(days=1)
    errors = validate(dict(good, published_on=tomorrow.isoformat()), domains=DOMAINS).errors
    assert [e.field for e in errors] == ["published_on"]


def test_blank_text_counts_as_missing(good):
    errors = validate(dict(good, reason="   \n "), domains=DOMAINS, language="en").errors
    assert [e.message for e in errors] == ["Reason and evidence is required"]


def test_over_long_text_says_how_long_it_is(good):
    errors = validate(dict(good, original_text="字" * 5001), domains=DOMAINS, language="zh").errors
    assert errors[0].message == "原文内容：不能超过 5000 个字符（现有 5001 个）"


def test_wrong_types_are_reported_not_raised(good):
    errors = validate(dict(good, article_title=123, declaration="maybe"), domains=DOMAINS).errors
    assert {e.field for e in errors} == {"article_title", "declaration"}


def test_a_body_that_is_not_an_object_gets_one_clear_error():
    errors = validate(["not", "an", "object"], domains=DOMAINS, language="en").errors
    assert [e.as_dict() for e in errors] == [{"field": "", "message": "the request body must be a JSON object"}]


@pytest.mark.parametrize("word", ["on", "true", "1", "是", "同意"])
def test_form_checkbox_values_become_true(word):
    assert normalise({"declaration": word})["declaration"] is True


def test_normalise_trims_and_keeps_unknown_fields_for_the_validator_to_name():
    assert normalise({"article_title": "  标题 ", "x": "1", "reason": ""}) == {"article_title": "标题", "x": "1"}


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "(010) 6512-3456", "021-12345678"])
def test_phone_numbers_people_write_are_accepted(good, phone):
    assert validate(dict(good, requester_phone=phone), domains=DOMAINS).ok


@pytest.mark.parametrize("email", ["a@b", "a b@example.com", "@example.com", "a@example..com", "a@-example.com"])
def test_undeliverable_looking_addresses_are_refused(good, email):
    assert not validate(dict(good, requester_email=email), domains=DOMAINS).ok


def test_dates_must_be_written_in_full(good):
    assert not validate(dict(good, published_on="2026-1-5"), domains=DOMAINS).ok
    assert date.fromisoformat("2026-01-05")
