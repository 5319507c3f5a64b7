"""An editor works a request from queued to resolved in a real browser, on the real local stack.

Uses the lead's fixtures in tests/e2e/conftest.py: `stack` (base_url, outbox(), wait_for_mail())
and `page` (Playwright driving /usr/bin/chromium).
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from web.vocabulary import vocabulary

pytestmark = pytest.mark.e2e

SAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "samples" / "valid" / "correction-zh.json").read_text("utf-8")
)
# The page shows statuses by their labels (web.vocabulary), never the values themselves.
STATUS = {value: label["zh"] for value, label in vocabulary()["status"].items()}
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


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

    email, password = stack.editor_credentials()
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

    page.get_by_role("button", name="认领", exact=True).click()
    page.locator("#c-assignee", has_text=email).wait_for()

    page.locator("#ask-text").fill("请提供能证明原文有误的材料。")
    page.get_by_role("button", name="发送问题").click()
    page.locator("#c-status", has_text=STATUS["awaiting_requester"]).wait_for()
    question = stack.wait_for_mail(lambda m: reference in m["subject"] and "请提供能证明原文有误的材料。" in m["text"])
    assert question["to"] == [SAMPLE["requester_email"]] or SAMPLE["requester_email"] in str(question["to"])

    # The requester answers on the status page.
    requester = page.context.new_page()
    requester.goto(stack.base_url + accepted["status_url"])
    requester.locator("#answer-text").fill("材料：当日公告原文。")
    requester.get_by_role("button", name="提交回复").click()
    requester.locator("#status").wait_for()

    page.reload()
    page.locator("#c-status", has_text=STATUS["in_review"]).wait_for()
    page.locator("#r-outcome").select_option("removed")
    from playwright.sync_api import expect

    expect(page.locator("#r-reply")).to_have_value(re.compile("删除"))  # the template for the outcome
    page.locator("#r-note").fill("该稿件已删除。")
    page.get_by_role("button", name="提交决定").click()
    page.locator("#c-status", has_text=STATUS["resolved"]).wait_for()

    outcome = stack.wait_for_mail(lambda m: reference in m["subject"] and "已删除" in m["subject"])
    assert "该稿件已删除。" in outcome["text"]

    requester.goto(stack.base_url + accepted["status_url"])
    assert requester.locator("#outcome").inner_text() == "已删除"
    assert requester.locator("#public-note").inner_text() == "该稿件已删除。"


# ---- Issue 11: every label in the editor's language, times in Beijing --------------------------------

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
COGNITO_SUB = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BEIJING = timezone(timedelta(hours=8))
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# Four links that make up most of the text: screening holds it as suspect (quarantined).
LINKS = " ".join(f"https://mirror.example.org/{n}" for n in range(1, 5))


def raw_values(text: str) -> list[str]:
    """Every value of the vocabulary (and every field name) that shows as itself in the text."""
    values = {value for labels in vocabulary().values() for value in labels if not value.isdigit()}
    return sorted(v for v in values if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(v)}(?![A-Za-z0-9_-])", text))


def assert_readable(page) -> None:
    # Collapsed parts too: the case's fields are read with them open.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    text = page.locator("body").inner_text()
    assert raw_values(text) == [], text
    assert ISO_TIMESTAMP.findall(text) == [], text
    assert COGNITO_SUB.findall(text) == [], text


def in_beijing(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(BEIJING)
    return f"{moment.month}月{moment.day}日 {WEEKDAYS_ZH[moment.weekday()]} {moment:%H:%M}"


def case_json(page, reference: str) -> dict:
    return page.evaluate(
        """async (reference) => (await fetch("/editor/api/requests/" + reference, {
             headers: { Authorization: "Bearer " + sessionStorage.getItem("corrigo.idToken") } })).json()""",
        reference,
    )


def sign_in(stack, page) -> str:
    email, password = stack.editor_credentials()
    page.goto(stack.base_url + "/editor/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("#counts .count").first.wait_for()
    return email


def test_the_editors_page_speaks_chinese_in_beijing_time_with_no_raw_value(stack, page):
    from tests.support.waiting import wait_for

    queued = submit(stack, request_type="removal", relationship="subject", article_title="某地暴雨预警稿件")[
        "reference"
    ]
    held = submit(stack, request_type="copyright", reason="转载来源：" + LINKS)["reference"]
    stack.wait_for_mail(lambda m: queued in m["subject"])
    unlabelled = []
    page.on("console", lambda message: unlabelled.append(message.text) if "no zh label" in message.text else None)

    email = sign_in(stack, page)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert email in page.locator("#who").inner_text()
    row = page.locator(f"#queue li[data-reference='{queued}']")
    row.wait_for()
    assert_readable(page)

    # The case: every label in Chinese, both deadlines in Beijing time with the working time left.
    row.click()
    page.locator("#c-reference", has_text=queued).wait_for()
    case = case_json(page, queued)
    due = page.locator("#c-due").inner_text()
    assert in_beijing(case["first_response_due"]) in due
    assert in_beijing(case["decision_due"]) in due
    assert re.search(r"剩 (\d+ 个工作日|\d+ 小时|不到 1 小时)", due), due
    assert case["time_left"]["decision"]["overdue"] is False
    assert page.locator("#c-status").inner_text() == STATUS["queued"]
    assert_readable(page)

    # Claimed: the history names the editor, not an id, and the move in words.
    page.get_by_role("button", name="认领", exact=True).click()
    page.locator("#c-status", has_text=STATUS["in_review"]).wait_for()
    last = page.locator("#c-history tr").last
    assert email in last.inner_text()
    assert f"（{STATUS['queued']} → {STATUS['in_review']}）" in last.inner_text()
    assert_readable(page)

    # Quarantine: the reason it was held, labelled, and screening's verdict and rules in words.
    def held_row():
        page.locator("#quarantine-tab").click()
        found = page.locator(f"#queue li[data-reference='{held}']")
        return found if found.count() else None

    wait_for(held_row).click()
    page.locator("#c-reference", has_text=held).wait_for()
    assert page.locator("#c-quarantine").inner_text() == vocabulary()["quarantine_reason"]["screening"]["zh"]
    screening = page.locator("#c-screening").inner_text()
    assert vocabulary()["verdict"]["suspect"]["zh"] in screening
    assert vocabulary()["screening_rule"]["many_links"]["zh"] in screening
    assert_readable(page)
    assert unlabelled == []


def test_the_language_switch_is_remembered_and_sets_the_lang_attribute(stack, page):
    queued = submit(stack, request_type="update")["reference"]
    stack.wait_for_mail(lambda m: queued in m["subject"])
    sign_in(stack, page)
    page.locator(f"#queue li[data-reference='{queued}']").click()
    page.locator("#c-reference", has_text=queued).wait_for()

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#c-status").inner_text() == vocabulary()["status"]["queued"]["en"]
    assert re.search(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\b", page.locator("#c-due").inner_text()
    )

    page.reload()
    page.locator("#c-reference", has_text=queued).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#queue-title").inner_text() == "Queue"
    page.get_by_role("button", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.evaluate("localStorage.getItem('corrigo.lang')") == "zh"
