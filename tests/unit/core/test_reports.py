"""corrigo.reports: every expectation below was worked out by hand (the comments show how)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from corrigo.errors import BadQuery
from corrigo.lifecycle import Action, Status
from corrigo.model import CorrectionRequest
from corrigo.reports import (
    BOM,
    ReportRow,
    build_report,
    csv_cell,
    csv_document,
    index_attributes,
    parse_range,
    percentile,
    working_hours,
)

NOW = datetime(2026, 12, 10, tzinfo=UTC)
FIRST, LAST = date(2026, 11, 30), date(2026, 12, 6)  # Monday to Sunday


def test_percentiles_interpolate_between_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == 2.5  # between 2 and 3
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)  # rank 8.1 (0-based): 9 + 0.1
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.5) is None


def test_working_hours_leave_out_the_weekend_and_holidays_on_beijing_dates():
    # Friday 16:00 Beijing (08:00 UTC) to Monday 10:00 Beijing: 8 hours on Friday, 10 on Monday.
    assert working_hours("2026-12-04T08:00:00.000Z", "2026-12-07T02:00:00.000Z", frozenset()) == 18
    # Monday a holiday: Friday's 8 hours only.
    assert working_hours("2026-12-04T08:00:00.000Z", "2026-12-07T02:00:00.000Z", frozenset({date(2026, 12, 7)})) == 8
    # Sunday 23:00 UTC is Monday 07:00 in Beijing: a working hour.
    assert working_hours("2026-11-29T23:00:00.000Z", "2026-11-30T00:00:00.000Z", frozenset()) == 1


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("更正", "更正"),
        ("a=b", "a=b"),
        (12, "12"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(cell, shown):
    assert csv_cell(cell) == shown


def test_csv_document_has_the_bom_crlf_and_quotes():
    text = csv_document([("分类", "项目"), ("=1+1", "a,b")])
    assert text == BOM + '分类,项目\r\n\'=1+1,"a,b"\r\n'


def test_range_is_two_beijing_dates_in_order_a_year_at_most():
    assert parse_range("2024-01-01", "2024-12-31") == (date(2024, 1, 1), date(2024, 12, 31))  # 366 days
    with pytest.raises(BadQuery) as bad:
        parse_range("2024-01-01", "2025-01-01")  # 367 days
    assert bad.value.parameter == "to"
    with pytest.raises(BadQuery) as bad:
        parse_range("2026-13-01", "2026-12-31", "en")
    assert bad.value.parameter == "from"
    assert "YYYY-MM-DD" in bad.value.message
    with pytest.raises(BadQuery) as bad:
        parse_range("2026-12-02", "2026-12-01")
    assert (bad.value.parameter, bad.value.message) == ("to", "不能早于开始日期")
    with pytest.raises(BadQuery) as bad:
        parse_range("2026-12-01", None)
    assert bad.value.parameter == "to"


def row(reference: str, created_at: str, **changes) -> ReportRow:
    return replace(
        ReportRow(
            reference=reference, created_at=created_at, request_type="correction", channel="web", status="queued"
        ),
        **changes,
    )


ROWS = [
    # Monday 09:00 Beijing; first response 2 h later; decided Tuesday 09:00 (24 working hours).
    row(
        "A",
        "2026-11-30T01:00:00.000Z",
        status="resolved",
        outcome="corrected",
        first_response_at="2026-11-30T03:00:00.000Z",
        decided_at="2026-12-01T01:00:00.000Z",
        first_response_due="2026-12-02T01:00:00.000Z",
        decision_due="2026-12-07T01:00:00.000Z",
        article_key="news.example.cn/a1",
        article_url="https://news.example.cn/a1",
        article_title="第一篇",
    ),
    # Friday 16:00 Beijing; first response Monday 10:00 (18 h); decided Monday 12:00 (20 h).
    row(
        "B",
        "2026-12-04T08:00:00.000Z",
        request_type="removal",
        channel="email",
        status="resolved",
        outcome="removed",
        first_response_at="2026-12-07T02:00:00.000Z",
        decided_at="2026-12-07T04:00:00.000Z",
        first_response_due="2026-12-07T08:00:00.000Z",
        decision_due="2026-12-09T08:00:00.000Z",
        article_key="news.example.cn/a1",
    ),
    # Still queued, nobody answered, first response was due on the 4th: late now (the 10th).
    row(
        "C",
        "2026-12-02T02:00:00.000Z",
        first_response_due="2026-12-04T02:00:00.000Z",
        decision_due="2026-12-20T02:00:00.000Z",
        article_key="news.example.cn/a2",
    ),
    # Held by screening, not checked yet.
    row(
        "D",
        "2026-12-02T03:00:00.000Z",
        request_type="other",
        channel="api",
        status="quarantined",
        screening_verdict="suspect",
    ),
    # Held, released as genuine, taken up an hour later (Thursday 16:00 → 17:00 Beijing).
    row(
        "E",
        "2026-12-03T08:00:00.000Z",
        request_type="update",
        status="in_review",
        screening_verdict="suspect",
        first_response_at="2026-12-03T09:00:00.000Z",
        first_response_due="2026-12-05T08:00:00.000Z",
        decision_due="2026-12-20T08:00:00.000Z",
        article_key="news.example.cn/a3",
    ),
    # Held as spam, and an editor agreed: rejected, never taken up.
    row("F", "2026-12-03T10:00:00.000Z", status="resolved", outcome="rejected", screening_verdict="spam"),
    # A duplicate merged by screening at once: counted, but not as a decision in no time.
    row("G", "2026-12-05T10:00:00.000Z", status="resolved", outcome="merged", decided_at="2026-12-05T10:00:00.000Z"),
]


def test_report_by_hand():
    report = build_report(ROWS, FIRST, LAST, NOW, frozenset())
    assert report["total"] == 5  # A B C E G: D is still held, F confirmed as spam
    assert report["by_type"] == [
        {"key": "correction", "count": 3},
        {"key": "removal", "count": 1},
        {"key": "update", "count": 1},
    ]
    assert report["by_channel"] == [{"key": "web", "count": 4}, {"key": "email", "count": 1}]
    assert report["by_outcome"] == [
        {"key": "corrected", "count": 1},
        {"key": "merged", "count": 1},
        {"key": "removed", "count": 1},
    ]
    assert report["undecided"] == 2  # C, E
    # First responses 2, 18, 1 → 1, 2, 18: median 2; p90 at rank 1.8: 2 + 0.8 × 16 = 14.8.
    assert report["first_response_hours"] == {"count": 3, "median": 2, "p90": 14.8}
    # Decisions 24, 20: median 22; p90 at rank 0.9: 20 + 0.9 × 4 = 23.6.
    assert report["decision_hours"] == {"count": 2, "median": 22, "p90": 23.6}
    assert report["overdue"] == {"count": 1, "of": 5, "share": 0.2}
    assert [(a["article_key"], a["count"]) for a in report["top_articles"]] == [
        ("news.example.cn/a1", 2),
        ("news.example.cn/a2", 1),
        ("news.example.cn/a3", 1),
    ]
    assert report["top_articles"][0]["title"] == "第一篇"
    assert report["screening"] == {
        "held": 3,
        "released": 1,
        "confirmed": 1,
        "pending": 1,
        "false_positive_share": 0.3333,
    }


def test_holidays_shorten_the_times():
    report = build_report(ROWS, FIRST, LAST, NOW, frozenset({date(2026, 12, 7)}))
    # B's Monday is a holiday: 8 h to first response and to decision. 1, 2, 8 → median 2, p90 2 + 0.8 × 6.
    assert report["first_response_hours"] == {"count": 3, "median": 2, "p90": 6.8}
    assert report["decision_hours"]["median"] == 16  # (8 + 24) / 2


def test_a_request_decided_late_or_escalated_is_overdue():
    late = row(
        "L",
        "2026-12-01T01:00:00.000Z",
        status="resolved",
        decided_at="2026-12-09T00:00:00.000Z",
        decision_due="2026-12-04T01:00:00.000Z",
    )
    paused = row("P", "2026-12-01T01:00:00.000Z", status="awaiting_requester", decision_due="2026-12-04T01:00:00.000Z")
    escalated = row("X", "2026-12-01T01:00:00.000Z", status="in_review", escalated=True)
    report = build_report([late, paused, escalated], FIRST, LAST, NOW, frozenset())
    assert report["overdue"] == {"count": 2, "of": 3, "share": 0.6667}


def test_the_item_carries_the_day_it_came_in_in_beijing():
    request = CorrectionRequest(
        reference="CR-2026-AAAAAA",
        status=Status.QUEUED,
        fields={"request_type": "removal", "article_url": "https://news.example.cn/x", "article_title": "标题" * 200},
        language="zh",
        channel="web",
        created_at="2026-11-30T17:30:00.000Z",  # 01:30 on 1 December in Beijing
        updated_at="2026-11-30T17:30:00.000Z",
        urgency=1,
        first_response_due="",
        decision_due="",
        status_token="t",
        screening={"verdict": "pass", "score": 0},
    )
    found = index_attributes(request)
    assert found["created_day"] == "2026-12-01"
    assert found["request_type"] == "removal"
    assert found["screening_verdict"] == "pass"
    assert len(found["article_title"]) == 200


def test_the_decision_time_is_kept_and_cleared_by_reopening():
    request = CorrectionRequest(
        reference="CR-2026-AAAAAA",
        status=Status.IN_REVIEW,
        fields={},
        language="zh",
        channel="web",
        created_at="2026-11-30T01:00:00.000Z",
        updated_at="2026-11-30T01:00:00.000Z",
        urgency=2,
        first_response_due="",
        decision_due="",
        status_token="t",
    )
    decided, _ = request.move(Action.RESOLVE, actor="e", at=datetime(2026, 12, 1, 1, tzinfo=UTC), outcome="corrected")
    assert decided.decided_at == "2026-12-01T01:00:00.000Z"
    reopened, _ = decided.move(Action.REOPEN, actor="e", at=datetime(2026, 12, 2, tzinfo=UTC))
    assert reopened.decided_at is None
