"""Issue 11, item 3, in a real browser on the local stack: bulk resolve-as-rejected of three requests
from the keyboard alone, each requester told once; an admin's saved reply template is what the next
case starts from; the shortcuts are listed in the page."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from corrigo.lifecycle import OUTCOME_LABELS, Outcome
from tests.e2e.test_editor_page import sign_in, submit
from tests.support.axe import assert_no_blocking_violations
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

REJECTED_ZH = OUTCOME_LABELS[Outcome.REJECTED]["zh"]


def confirm_address(stack, reference: str) -> None:
    """The requester follows the link mailed to them, so that their outcome is mailed in full
    (docs/architecture.md, "Who gets what mail")."""
    notice = stack.wait_for_mail(lambda m: reference in m["subject"] and "/confirm?token=" in m["text"])
    link = re.search(r"https?://\S+/requests/\S+/confirm\?token=([\w-]+)", notice["text"])
    confirm = urllib.request.Request(
        link.group(0).split("?")[0],
        data=json.dumps({"token": link.group(1)}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(confirm, timeout=10) as response:
        assert json.loads(response.read())["confirmed"] is True


def outcome_mails(stack, reference: str) -> list[dict]:
    return [m for m in stack.outbox() if reference in str(m.get("subject")) and REJECTED_ZH in str(m.get("subject"))]


def test_three_requests_are_rejected_together_from_the_keyboard(stack, page):
    marker = "批量" + uuid.uuid4().hex[:8]
    accepted = [
        submit(stack, article_title=f"{marker} 稿件 {n}", requester_email=f"bulk{n}-{marker[-8:]}@example.org")
        for n in range(3)
    ]
    references = [a["reference"] for a in accepted]
    # Not found by the search: the search's three rows are told apart from the first listing's.
    decoy = submit(stack, article_title="另一篇稿件", requester_email=f"decoy-{marker[-8:]}@example.org")["reference"]
    for reference in references:
        confirm_address(stack, reference)
    stack.wait_for_mail(lambda m: decoy in m["subject"])
    sign_in(stack, page)
    page.locator(f"#queue li[data-reference='{decoy}']").wait_for()  # the first listing is in

    # Search, then leave the field: no shortcut acts while typing.
    page.keyboard.press("/")
    page.keyboard.type(marker + "x")  # "x" typed into the field selects nothing
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    rows = page.locator("#queue li[role=option]")
    expect(rows).to_have_count(3)
    assert page.locator("#queue li[aria-checked=true]").count() == 0
    page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("j")
        page.keyboard.press("x")
    expect(page.locator("#queue li[aria-checked=true]")).to_have_count(3)
    expect(page.locator("#desk-selected")).to_have_text("已选 3 份")

    page.keyboard.press("d")
    dialog = page.locator("#desk-confirm")
    expect(dialog).to_be_visible()
    expect(page.locator("#desk-confirm-list li")).to_have_count(3)
    assert page.evaluate("document.activeElement.id") == "desk-confirm-yes"
    assert_no_blocking_violations(page, "editors' page, bulk rejection to confirm")
    page.keyboard.press("Enter")

    expect(page.locator("#desk-results")).to_contain_text("3 份成功，0 份未成功")
    for reference in references:
        told = wait_for(lambda r=reference: outcome_mails(stack, r) or None)
        assert len(told) == 1
    for reference, sent in zip(references, accepted, strict=True):
        [mail] = outcome_mails(stack, reference)
        assert sent["reference"] == reference and "@example.org" in str(mail["to"])
    # Resolved, they leave the open queue.
    expect(rows).to_have_count(0)


def test_the_help_lists_the_shortcuts_and_nothing_fires_while_typing(stack, page):
    sign_in(stack, page)
    page.keyboard.press("?")
    help_dialog = page.locator("#desk-help")
    expect(help_dialog).to_be_visible()
    for key in ("Shift + x", "x", "c", "r", "d", "?"):
        expect(help_dialog.locator("kbd", has_text=re.compile(rf"^{re.escape(key)}$"))).to_have_count(1)
    assert_no_blocking_violations(page, "editors' page, shortcuts listed")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_an_admin_saves_a_reply_template_and_the_next_case_starts_from_it(stack, page):
    marker = "模板" + uuid.uuid4().hex[:8]
    reference = submit(
        stack, article_title=f"{marker} 稿件", requester_name="李雷", requester_email=f"t-{marker[-8:]}@example.org"
    )["reference"]
    stack.wait_for_mail(lambda m: reference in m["subject"])
    sign_in(stack, page)

    page.keyboard.press("t")
    templates = page.locator("#desk-templates")
    expect(templates).to_be_visible()
    page.locator("#desk-t-outcome").select_option("rejected")
    expect(page.locator("#desk-t-zh")).to_have_value(re.compile(r"\{article_title\}.*不予修改"))  # its default
    page.locator("#desk-t-zh").fill("{requester_name}您好：《{article_title}》经核实不予修改（{reference}）。")
    page.locator("#desk-t-en").fill("Dear {requester_name}: {article_title} stays as published ({reference}).")
    page.locator("#desk-t-save").click()
    expect(page.locator("#desk-t-state")).to_contain_text("已保存")
    assert_no_blocking_violations(page, "editors' page, reply templates")
    page.locator("#desk-t-close").click()

    page.locator("#f-q").fill(marker)
    page.get_by_role("button", name="筛选").click()
    page.locator(f"#queue li[data-reference='{reference}']").click()
    page.locator("#c-reference", has_text=reference).wait_for()
    page.locator("#r-outcome").select_option("rejected")
    expect(page.locator("#r-reply")).to_have_value(f"李雷您好：《{marker} 稿件》经核实不予修改（{reference}）。")
