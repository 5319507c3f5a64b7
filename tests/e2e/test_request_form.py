"""A requester fills the form in a real browser, in Chinese and in English, on the real local stack."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e

SAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "samples" / "valid" / "correction-zh.json").read_text("utf-8")
)


def fill_form(page, values: dict) -> None:
    for name, value in values.items():
        element = page.locator(f"#{name}")
        tag = element.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            element.select_option(value)
        elif tag == "input:checkbox":
            element.set_checked(bool(value))
        else:
            element.fill(str(value))


def test_a_chinese_request_gets_a_reference_an_acknowledgement_and_a_status_page(stack, page):
    page.goto(stack.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_label("稿件标题").is_visible()
    # The honeypot is not for people: off-screen, out of the tab order, hidden from screen readers.
    trap = page.locator("#website")
    box = trap.bounding_box()
    assert box["x"] + box["width"] <= 0
    assert trap.get_attribute("tabindex") == "-1"
    assert page.locator(".trap").get_attribute("aria-hidden") == "true"

    fill_form(page, dict(SAMPLE, requester_email="e2e-zh@example.com"))
    page.get_by_role("button", name="提交申请").click()

    page.wait_for_url(re.compile(r"/requests/CR-\d{4}-[A-Z0-9]{6}\?token="))
    reference = page.locator("#reference").inner_text()
    assert page.locator("h1").inner_text() == "申请进度"
    assert "提交申请" in page.locator("#history").inner_text()

    # Issue 9: a typed address is asked to confirm first, and is sent nothing the form said.
    notice = stack.wait_for_mail(lambda m: reference in m["subject"])
    assert notice["to"] == ["e2e-zh@example.com"] and "请确认您的电子邮箱" in notice["subject"]
    assert "某市举行秋季运动会" not in notice["text"]
    page.goto(re.search(r"https?://\S+/requests/\S+/confirm\?token=\S+", notice["text"]).group(0))
    page.get_by_role("button", name="确认 Confirm").click()
    page.wait_for_url(re.compile(r"/requests/CR-\d{4}-[A-Z0-9]{6}\?token="))

    mail = stack.wait_for_mail(lambda m: reference in m["subject"] and "我们已收到您的稿件修改申请" in m["subject"])
    assert mail["to"] == ["e2e-zh@example.com"]
    assert "稿件标题：某市举行秋季运动会" in mail["text"]
    assert mail["headers"]["Auto-Submitted"] == "auto-replied"

    # The link in the email opens the same status page, now showing the request queued.
    link = re.search(r"https?://\S+/requests/\S+", mail["text"]).group(0)
    page.goto(link)
    assert page.locator("#status").inner_text() == "排队待审"


def test_an_english_request_that_fails_shows_each_error_beside_its_field_and_keeps_values(stack, page):
    page.goto(stack.base_url + "/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    values = dict(
        SAMPLE,
        article_url="https://elsewhere.example.com/story",
        published_on="2999-01-01",
        requester_email="e2e-en@example.com",
    )
    fill_form(page, values)
    page.get_by_role("button", name="Send request").click()

    summary = page.get_by_role("alert")
    assert "Please fix 2 problem(s)" in summary.inner_text()
    assert page.locator("#article_url-error").inner_text() == "must be an article on our site (news.example.cn)"
    assert page.locator("#published_on-error").inner_text() == "cannot be in the future"
    assert page.locator("#article_url").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "article_url"  # focus on the first error
    assert page.locator("#article_title").input_value() == SAMPLE["article_title"]  # nothing typed is lost

    page.locator("#article_url").fill("https://news.example.cn/2026/11/21/harbour.html")
    page.locator("#published_on").fill("2026-11-20")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"/requests/CR-"))
    assert page.locator("h1").inner_text() == "Request status"
    reference = page.locator("#reference").inner_text()
    token = parse_qs(urlsplit(page.url).query)["token"][0]

    mail = stack.wait_for_mail(lambda m: reference in m["subject"])
    assert mail["subject"] == f"【{reference}】请确认您的电子邮箱 / Please confirm your email address"
    status = stack.wait_for_status(f"/requests/{reference}?token={token}", "queued")
    assert [h["action"] for h in status["history"]] == ["submit", "screen_pass"]
