"""An admin erases a requester's personal data from the editors' page (issue 9, docs/privacy.md):
a reason is required, the browser asks for confirmation, and the requester's status page keeps the
decision without the requester."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.e2e.test_editor_page import submit

pytestmark = pytest.mark.e2e


def test_an_admin_erases_a_request_from_the_page_after_confirming_with_a_reason(stack, page):
    accepted = submit(stack, requester_name="王五", requester_email="wangwu-erase@example.com")
    reference = accepted["reference"]
    stack.wait_for_mail(lambda m: reference in m["subject"])  # screened into the queue

    email, password = stack.editor_credentials()  # `make run`'s editor: in `editors` and `admins`
    page.goto(stack.base_url + f"/editor/#{reference}")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("#f-q").fill(reference)
    page.get_by_role("button", name="筛选").click()
    # .first: the listing loaded at sign-in and the filtered one can both be on the page for a moment.
    page.locator(f"#queue li[data-reference='{reference}']").first.click()
    page.locator("#c-reference", has_text=reference).wait_for()
    fields = page.locator("#c-fields")  # inside the collapsed "all fields": read as text, not as shown
    assert "wangwu-erase@example.com" in fields.text_content()

    erase = page.get_by_role("button", name="删除申请人个人信息")
    erase.wait_for()
    dialogs: list[str] = []
    answers = ["dismiss", "accept"]

    def confirm(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept() if answers.pop(0) == "accept" else dialog.dismiss()

    page.on("dialog", confirm)
    page.locator("#e-reason").fill("   ")
    erase.click()
    page.locator("#c-error", has_text="请填写删除理由").wait_for()
    assert dialogs == []  # no reason: not even asked

    page.locator("#e-reason").fill("申请人来电要求删除")
    erase.click()  # dismissed: nothing happens
    page.wait_for_timeout(500)
    assert len(dialogs) == 1 and reference in dialogs[0]
    assert "wangwu-erase@example.com" in fields.text_content()

    erase.click()  # accepted
    page.locator("#c-history", has_text="申请人来电要求删除").wait_for()
    assert "wangwu-erase@example.com" not in fields.text_content()

    request = urllib.request.Request(stack.base_url + accepted["status_url"], headers={"accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        status = json.loads(response.read())
    assert status["history"][-1]["action"] == "erase"
    assert "王五" not in json.dumps(status, ensure_ascii=False)
