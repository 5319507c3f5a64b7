"""embed.js in a real Chromium: an article page with one script tag shows 最新评论 and the form; a
reader verifies by SMS code and comments; a `<script>` in a comment stays text.

The browser's requests to the site and to the service are answered in-process: the article page
from here, everything else by the CommentsFunction over this test's moto (page.route)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.integration.comments.conftest import ARTICLE, PHONE, body_of, code_for

SERVICE = "https://corrections.news.example.cn"
SCRIPT_TEXT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
ARTICLE_PAGE = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>预算</title>
<link rel="canonical" href="{ARTICLE}"></head><body><article><h1>预算报告</h1><p>正文。</p></article>
<script src="{SERVICE}/comments/embed.js"></script></body></html>"""


@pytest.fixture
def page(browser, api):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)

    def answer(route, request):
        url = urlsplit(request.url)
        if url.hostname == "news.example.cn":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=ARTICLE_PAGE)
            return
        headers = request.all_headers()
        cookie = headers.pop("cookie", None)
        body = request.post_data
        kwargs = {
            "headers": {k: v for k, v in headers.items() if not k.startswith(":")},
            "query": dict(parse_qsl(url.query)),
        }
        if body is not None:
            kwargs["form"] = dict(parse_qsl(body))
        result = api(request.method, url.path, cookie=cookie, **kwargs)
        response_headers = dict(result.get("headers") or {})
        for set_cookie in result.get("cookies") or []:
            response_headers["set-cookie"] = set_cookie
        route.fulfill(status=result["statusCode"], headers=response_headers, body=result.get("body") or "")

    page.route("**/*", answer)
    yield page
    context.close()


def test_a_published_script_stays_text_and_runs_nowhere(page, verified, post_comment, service):
    accepted = body_of(post_comment(verified(), text=SCRIPT_TEXT, nickname="<i>昵称</i>"))
    service.approve(accepted["id"], "editor@news.example.cn")

    page.goto(ARTICLE)
    page.get_by_role("heading", name="最新评论").wait_for()
    comment = page.locator(".corrigo-comment").first
    comment.wait_for()
    assert comment.locator(".corrigo-text").inner_text() == SCRIPT_TEXT
    assert comment.locator("strong").inner_text() == "<i>昵称</i>"
    assert (
        page.evaluate(
            "document.querySelectorAll('.corrigo-comments script, .corrigo-comments img, .corrigo-comments i').length"
        )
        == 0
    )
    assert page.evaluate("window.pwned") is None


def test_a_reader_verifies_by_code_and_comments_from_the_keyboard(page, outbox, service):
    page.goto(ARTICLE)
    page.get_by_label("昵称").fill("键盘读者")
    page.get_by_label("评论内容").fill("全程用键盘提交。")
    address = page.get_by_label("电子邮箱（选填）")
    address.fill("keyboard-reader@example.com")
    assert "审核结果会发到这个邮箱" in address.evaluate(
        "e => document.getElementById(e.getAttribute('aria-describedby')).textContent"
    )
    address.press("Tab")
    page.keyboard.press("Enter")  # the submit button has the focus

    phone = page.get_by_label("手机号码")
    phone.wait_for()
    assert page.evaluate("document.activeElement.type") == "tel"  # the focus moved to the number
    phone.fill(PHONE)
    phone.press("Enter")
    code = page.get_by_label("验证码")
    code.wait_for()
    code.fill(code_for(outbox, PHONE))
    code.press("Enter")

    status = page.locator(".corrigo-live")
    status.get_by_text("审核中").wait_for()
    link = status.get_by_role("link", name="查看审核进度")
    assert link.get_attribute("href").startswith(f"{SERVICE}/comments/C")
    # The address given is kept with the comment: the moderators' decision is mailed to it
    # (tests/integration/comments/test_moderation_api.py: the author is mailed the outcome once).
    comment_id = urlsplit(link.get_attribute("href")).path.rsplit("/", 1)[-1]
    assert service.table.get(comment_id).email == "keyboard-reader@example.com"


def test_the_script_carries_the_schemas_labels_and_never_assigns_html(api):
    served = api("GET", "/comments/embed.js")
    assert served["statusCode"] == 200
    assert served["headers"]["Content-Type"].startswith("application/javascript")
    script = served["body"]
    assert "__CORRIGO_FIELDS__" not in script and '"label": "评论内容"' in script and '"max": 1000' in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_at_night_the_reader_is_told_when_the_comment_will_be_reviewed(page, verified, service, monkeypatch):
    from dataclasses import replace
    from datetime import UTC, datetime

    from corrigo.comments.schedule import QuietHours

    token = verified()
    page.context.add_cookies([{"name": "corrigo_commenter", "value": token, "url": SERVICE}])
    monkeypatch.setattr(service, "settings", replace(service.settings, quiet_hours=QuietHours.parse("23:00-07:00")))
    monkeypatch.setattr(service, "clock", lambda: datetime(2026, 12, 1, 16, 30, tzinfo=UTC))  # 00:30 in Beijing

    page.goto(ARTICLE)
    page.get_by_label("昵称").fill("夜读者")
    page.get_by_label("评论内容").fill("深夜留言。")
    page.get_by_role("button", name="提交评论").click()

    status = page.locator(".corrigo-live")
    status.get_by_text("审核中").wait_for()
    assert "07:00" in status.inner_text()
