"""The Reports view (issue 11) in a real browser on the local stack: a chart of the seeded requests,
and the CSV downloaded as Excel needs it (BOM, header row, a formula-looking title neutralised)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.test_editor_page import submit
from tests.support.axe import assert_no_blocking_violations

pytestmark = pytest.mark.e2e

HOSTILE_TITLE = "=cmd|' /C calc'!A0"


def test_the_reports_view_draws_a_chart_and_downloads_a_safe_csv(stack, page, tmp_path: Path):
    submit(stack, article_url="https://news.example.cn/2026/12/reports-e2e.html", article_title=HOSTILE_TITLE)

    email, password = stack.editor_credentials()
    page.goto(stack.base_url + "/editor/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("#counts .count").first.wait_for()

    page.get_by_role("button", name="报表").click()
    bars = page.locator("#rp-chart-type rect.bar")
    bars.first.wait_for()
    assert bars.count() >= 1
    # Labelled from the vocabulary: the type chart names the request types in Chinese, not their values.
    assert page.locator("#rp-chart-type").get_attribute("aria-label").startswith("按类型：")
    assert "correction" not in page.locator("#reports-app").inner_text()
    page.locator("#rp-articles td a", has_text=HOSTILE_TITLE).wait_for()  # shown as text
    assert_no_blocking_violations(page, "the Reports view")

    with page.expect_download() as started:
        page.get_by_role("button", name="导出 CSV").click()
    saved = tmp_path / "report.csv"
    started.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["分类", "项目", "说明", "数值"]
    assert ["申请最多的稿件", "'" + HOSTILE_TITLE, "https://news.example.cn/2026/12/reports-e2e.html", "1"] in rows

    page.get_by_role("button", name="English").click()
    page.locator("#rp-title", has_text="Reports").wait_for()
    assert page.locator("#rp-chart-type").get_attribute("aria-label").startswith("By type: ")
