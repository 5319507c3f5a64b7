"""Issue 11, item 5: the request form, the requester's status page and the editors' page pass axe-core
with no serious or critical violation, in Chinese and in English, and their actions work from the keyboard.

Each page is checked in the states a person meets it in: the form empty and with errors; the status page
before and while an editor's question waits, and the link that confirms an address; the editors' sign-in,
their queue with a case open, the case claimed, and a queue with nothing in it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.test_editor_page import SAMPLE, sign_in, submit
from tests.support.axe import assert_no_blocking_violations, counts

pytestmark = pytest.mark.e2e

LANGUAGES = ("zh", "en")
SUBMIT = {"zh": "提交申请", "en": "Send request"}
CLAIM = {"zh": "认领", "en": "Claim"}
MAX_TABS = 80  # more stops than either page has: a focus that never arrives fails, not hangs


def check(page, where: str) -> None:
    """axe on the page as it is now; the milder findings are printed (pytest -s) for whoever improves further."""
    # Collapsed parts too: a closed <details> hides its content from axe as well as from the eye.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found = assert_no_blocking_violations(page, where)
    milder = ", ".join(f"{rule} ({impact}) ×{nodes}" for (rule, impact), nodes in sorted(counts(found).items()))
    print(f"axe on {where}: {milder or 'nothing'}")


def focused(page) -> str:
    return page.evaluate("document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ''")


def tab_to(page, element_id: str) -> list[str]:
    """Presses Tab until the element has the focus; returns every element focused on the way."""
    visited = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        visited.append(focused(page))
        if visited[-1] == element_id:
            return visited
    pytest.fail(f"Tab never reached #{element_id}; it went through {visited}")


def type_date(page, iso_date: str) -> None:
    """Types a date into the focused <input type=date>, part by part in the order the browser shows them.

    That order (y/m/d, m/d/y …) follows the browser's own language, not the page's: it is learnt first by
    stepping the parts up once, twice and three times (month and day then read 1, 2 or 3).
    """
    for position in range(3):
        for _ in range(position + 1):
            page.keyboard.press("ArrowUp")
        if position < 2:
            page.keyboard.press("ArrowRight")
    _, month, day = page.evaluate("document.activeElement.value").split("-")
    order = {"month": int(month) - 1, "day": int(day) - 1}
    order["year"] = 3 - order["month"] - order["day"]
    wanted = dict(zip(("year", "month", "day"), iso_date.split("-"), strict=True))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    for part in sorted(order, key=order.__getitem__):
        page.keyboard.type(wanted[part])  # a month or a day moves on by itself after two digits
        if part == "year":
            page.keyboard.press("ArrowRight")  # a year may have six digits: it waits


def assert_focus_visible(page, element_id: str) -> None:
    style = page.locator(f"#{element_id}").evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, e.matches(':focus-visible')]; }"
    )
    assert style[0] != "none" and style[1] != "0px" and style[2], f"#{element_id} shows no focus ring: {style}"


# ---- The request form ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_request_form_passes_axe_empty_and_with_errors(stack, page, lang):
    page.goto(f"{stack.base_url}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    check(page, f"the form ({lang})")

    # Two problems the server finds: the error summary, each error beside its field, the fields marked.
    for name, value in dict(
        SAMPLE, article_url="https://elsewhere.example.com/story", published_on="2999-01-01"
    ).items():
        field = page.locator(f"#{name}")
        kind = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            field.select_option(value)
        elif kind == "input:checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(str(value))
    page.get_by_role("button", name=SUBMIT[lang]).click()
    page.get_by_role("alert").wait_for()
    assert page.locator("[aria-invalid=true]").count() == 2
    check(page, f"the form with errors ({lang})")


def test_the_form_is_filled_and_sent_with_the_keyboard_only(stack, page):
    """Every field in reading order by Tab, typed, picked with the arrows, ticked with Space, sent with Enter."""
    page.goto(stack.base_url + "/")
    fields = page.locator("#request-form").evaluate(
        "f => [...f.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter((e) => e.tabIndex >= 0).map((e) => e.id)"
    )
    values = dict(SAMPLE, requester_email="keyboard@example.com")
    page.locator("h1").click()  # the keyboard starts from the page, not from the address bar
    visited = []
    for field_id in fields:
        visited += tab_to(page, field_id)
        assert_focus_visible(page, field_id)
        if field_id not in values:
            continue
        kind = page.locator(f"#{field_id}").evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            # On a closed <select>, each ArrowDown picks the next option.
            options = page.locator(f"#{field_id} option").evaluate_all("os => os.map((o) => o.value)")
            for _ in range(options.index(values[field_id])):
                page.keyboard.press("ArrowDown")
        elif kind == "input:checkbox":
            page.keyboard.press("Space")
        elif kind == "input:date":
            type_date(page, values[field_id])
        else:
            page.keyboard.type(str(values[field_id]))
    # Visited in the order they are read (a date's day, month and year are stops of one field), and the
    # bots' trap is never one of them.
    assert list(dict.fromkeys(stop for stop in visited if stop in fields)) == fields
    assert "website" not in visited
    for field_id, value in values.items():
        shown = page.locator(f"#{field_id}").evaluate("e => e.type === 'checkbox' ? e.checked : e.value")
        assert shown == value, (field_id, shown)

    page.keyboard.press("Tab")
    button = page.evaluate("document.activeElement.tagName + ':' + document.activeElement.textContent.trim()")
    assert button == "BUTTON:" + SUBMIT["zh"]
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/requests/CR-\d{4}-[A-Z0-9]{6}\?token="))
    assert page.locator("h1").inner_text() == "申请进度"


# ---- The requester's status page (and the link that confirms their address) -------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_status_page_passes_axe_before_and_while_a_question_waits(stack, page, lang):
    accepted = submit(stack, requester_email=f"axe-status-{lang}@example.com")
    reference = accepted["reference"]
    status_url = f"{stack.base_url}{accepted['status_url']}&lang={lang}"
    page.goto(status_url)
    assert page.locator("#reference").inner_text() == reference
    check(page, f"the status page ({lang})")

    notice = stack.wait_for_mail(lambda m: reference in m["subject"])
    page.goto(re.search(r"https?://\S+/requests/\S+/confirm\?token=\S+", notice["text"]).group(0))
    check(page, "the confirmation page")
    page.locator("#confirm").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/requests/CR-\d{4}-[A-Z0-9]{6}\?token="))

    # An editor asks; the requester's page now has the question and a form to answer it.
    editor = page.context.new_page()
    sign_in(stack, editor)
    editor.goto(f"{stack.base_url}/editor/#{reference}")
    editor.reload()  # a new hash alone is no new page: the reload opens the case it names
    editor.locator("#c-reference", has_text=reference).wait_for()
    editor.get_by_role("button", name=CLAIM["zh"], exact=True).click()
    editor.locator("#ask-text").fill("请提供原文出处。")
    editor.locator("#ask-form button").click()
    stack.wait_for_status(
        f"/requests/{reference}?token={parse_qs(urlsplit(status_url).query)['token'][0]}", "awaiting_requester"
    )
    editor.close()

    page.goto(status_url)
    page.locator("#question-box").wait_for()
    check(page, f"the status page with a question ({lang})")


# ---- The editors' page ------------------------------------------------------------------------------


def open_case(stack, page, lang: str) -> str:
    """Signed in, in `lang`, with a fresh request open beside the queue."""
    reference = submit(stack, request_type="removal")["reference"]
    stack.wait_for_mail(lambda m: reference in m["subject"])
    sign_in(stack, page)
    if lang == "en":
        page.get_by_role("button", name="English").click()
    row = page.locator(f"#queue li[data-reference='{reference}']")
    row.click()
    page.locator("#c-reference", has_text=reference).wait_for()
    return reference


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_editors_page_passes_axe_signed_out_and_with_a_case_open(stack, page, lang):
    page.goto(stack.base_url + "/editor/")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    page.locator("#username").wait_for()
    check(page, f"the editors' sign-in ({lang})")

    page.evaluate("localStorage.clear()")
    open_case(stack, page, lang)
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    check(page, f"the editors' queue with a case open ({lang})")

    page.get_by_role("button", name=CLAIM[lang], exact=True).click()
    page.locator("#a-claim:disabled").wait_for()
    check(page, f"the editors' page with a claimed case ({lang})")

    page.locator("#f-q").fill("没有这样的稿件 no such article")
    page.locator("#filters button[type=submit]").click()
    page.locator("#queue li[data-reference]").first.wait_for(state="detached")
    check(page, f"the editors' page with an empty queue ({lang})")


def test_an_editor_signs_in_opens_a_case_and_claims_it_with_the_keyboard_only(stack, page):
    reference = submit(stack, request_type="correction")["reference"]
    stack.wait_for_mail(lambda m: reference in m["subject"])
    email, password = stack.editor_credentials()

    page.goto(stack.base_url + "/editor/")
    tab_to(page, "username")
    page.keyboard.type(email)
    tab_to(page, "password")
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.locator(f"#queue li[data-reference='{reference}']").wait_for()

    # Search for it, then move to it in the queue and open it: all from the keyboard.
    page.keyboard.press("/")
    assert focused(page) == "f-q"
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    expect(page.locator("#queue li[role=option]")).to_have_count(1)
    tab_to(page, "queue")
    assert_focus_visible(page, "queue")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#queue li[data-reference='{reference}']").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.locator("#c-reference", has_text=reference).wait_for()

    tab_to(page, "a-claim")
    assert_focus_visible(page, "a-claim")
    page.keyboard.press("Enter")
    page.locator("#c-assignee", has_text=email).wait_for()
    assert page.locator("#a-claim").is_disabled()
