"""An editor works a request from queued to resolved in a real browser, on the real local stack.

Uses the lead's fixtures in tests/e2e/conftest.py: `stack` (base_url, outbox(), wait_for_mail())
and `page` (Playwright driving /usr/bin/chromium).
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "samples" / "valid" / "correction-zh.json").read_text("utf-8")
)
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


def editor_credentials(stack) -> tuple[str, str]:
    from infra.local.extensions import DEFAULT_EDITOR_PASSWORD

    found = re.search(r"editor=(\S+) / (\S+)", stack.ready_line)
    return (found.group(1), found.group(2)) if found else ("editor@news.example.cn", DEFAULT_EDITOR_PASSWORD)


def submit(stack, **changes) -> dict:
    body = json.dumps({**SAMPLE, **changes}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        stack.base_url + "/requests", data=body, headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_an_editor_signs_in_filters_claims_asks_and_resolves(stack, page):
    accepted = submit(stack, request_type="removal", requester_name=XSS[:90], original_text=XSS)
    reference = accepted["reference"]
    # Screened into the queue, and its address asked to confirm (issue 9); the requester does, so that
    # the editor's question and the outcome reach them in full.
    notice = stack.wait_for_mail(lambda m: reference in m["subject"])
    confirm_link = re.search(r"https?://\S+/requests/\S+/confirm\?token=([\w-]+)", notice["text"])
    confirm = urllib.request.Request(
        confirm_link.group(0).split("?")[0],
        data=json.dumps({"token": confirm_link.group(1)}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(confirm, timeout=10) as response:
        assert json.loads(response.read())["confirmed"] is True

    email, password = editor_credentials(stack)
    page.goto(stack.base_url + "/editor/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("#counts .count").first.wait_for()

    page.locator("#f-type").select_option("removal")
    page.locator("#f-q").fill(reference)
    page.get_by_role("button", name="筛选").click()
    row = page.locator(f"#queue li[data-reference='{reference}']")
    row.click()
    page.locator("#c-reference", has_text=reference).wait_for()
    # A requester's markup is text on the page, and never runs.
    assert page.locator("#c-original").inner_text() == XSS
    assert page.evaluate("window.__pwned") is None

    page.get_by_role("button", name="认领").click()
    page.locator("#c-assignee", has_text=email).wait_for()

    page.locator("#ask-text").fill("请提供能证明原文有误的材料。")
    page.get_by_role("button", name="发送问题").click()
    page.locator("#c-status", has_text="awaiting_requester").wait_for()
    question = stack.wait_for_mail(lambda m: reference in m["subject"] and "请提供能证明原文有误的材料。" in m["text"])
    assert question["to"] == [SAMPLE["requester_email"]] or SAMPLE["requester_email"] in str(question["to"])

    # The requester answers on the status page.
    requester = page.context.new_page()
    requester.goto(stack.base_url + accepted["status_url"])
    requester.locator("#answer-text").fill("材料：当日公告原文。")
    requester.get_by_role("button", name="提交回复").click()
    requester.locator("#status").wait_for()

    page.reload()
    page.locator("#c-status", has_text="in_review").wait_for()
    page.locator("#r-outcome").select_option("removed")
    from playwright.sync_api import expect

    expect(page.locator("#r-reply")).to_have_value(re.compile("删除"))  # the template for the outcome
    page.locator("#r-note").fill("该稿件已删除。")
    page.get_by_role("button", name="提交决定").click()
    page.locator("#c-status", has_text="resolved").wait_for()

    outcome = stack.wait_for_mail(lambda m: reference in m["subject"] and "已删除" in m["subject"])
    assert "该稿件已删除。" in outcome["text"]

    requester.goto(stack.base_url + accepted["status_url"])
    assert requester.locator("#outcome").inner_text() == "已删除"
    assert requester.locator("#public-note").inner_text() == "该稿件已删除。"
