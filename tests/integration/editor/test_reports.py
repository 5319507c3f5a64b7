"""GET /editor/api/reports on moto built from template.yaml: the `created` index, the JSON, the CSV,
the range's errors, and the backfill of requests stored before the index."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from corrigo.lifecycle import Status
from corrigo.model import CorrectionRequest
from corrigo.workdays import beijing_date

BASE = CorrectionRequest(
    reference="CR-2026-RPT001",
    status=Status.QUEUED,
    fields={
        "request_type": "correction",
        "article_url": "https://news.example.cn/2026/11/a.html",
        "article_title": "=cmd|' /C calc'!A0",
    },
    language="zh",
    channel="web",
    created_at="2026-11-02T01:00:00.000Z",  # Monday 09:00 in Beijing
    updated_at="2026-11-02T01:00:00.000Z",
    urgency=2,
    first_response_due="2026-11-04T01:00:00.000Z",
    decision_due="2026-11-09T01:00:00.000Z",
    status_token="token",
)


def store(aws, *requests: CorrectionRequest, drop: tuple[str, ...] = ()) -> None:
    """Put request items as the service writes them (``drop``: attributes an old item lacks)."""
    from adapters.dynamo import Dynamo
    from adapters.request_items import request_item

    db = Dynamo(aws.ref("RequestsTable"), aws.clients("dynamodb"))
    for request in requests:
        item = {k: v for k, v in request_item(request).items() if k not in drop}
        aws.clients("dynamodb").put_item(TableName=db.table_name, Item=db.encode(item))


def seeded(aws) -> None:
    answered = replace(
        BASE,
        reference="CR-2026-RPT002",
        status=Status.RESOLVED,
        outcome="corrected",
        first_response_at="2026-11-02T03:00:00.000Z",  # 2 working hours
        decided_at="2026-11-03T01:00:00.000Z",  # 24 working hours
    )
    removal = replace(
        BASE,
        reference="CR-2026-RPT003",
        channel="email",
        fields={**BASE.fields, "request_type": "removal", "article_title": "另一篇"},
        created_at="2026-11-06T08:00:00.000Z",  # Friday 16:00 in Beijing
        first_response_at="2026-11-09T02:00:00.000Z",  # Monday 10:00: 18 working hours
        status=Status.IN_REVIEW,
        first_response_due="2026-11-09T08:00:00.000Z",
        decision_due="2099-12-30T08:00:00.000Z",
    )
    held = replace(BASE, reference="CR-2026-RPT004", status=Status.QUARANTINED, screening={"verdict": "suspect"})
    outside = replace(BASE, reference="CR-2026-RPT005", created_at="2026-11-10T01:00:00.000Z")
    store(aws, BASE, answered, removal, held, outside)


def report(gateway, tokens, **query):
    return gateway("GET", "/editor/api/reports", token=tokens(), query=query)


def test_the_report_counts_the_range_from_the_index(aws, gateway, tokens):
    seeded(aws)
    status, headers, body = report(gateway, tokens, **{"from": "2026-11-02", "to": "2026-11-08"})
    assert status == 200, body
    assert headers["cache-control"] == "no-store"
    assert body["total"] == 3  # RPT001-003: 004 is held by screening, 005 came in on the 10th
    assert body["by_type"] == [{"key": "correction", "count": 2}, {"key": "removal", "count": 1}]
    assert body["by_channel"] == [{"key": "web", "count": 2}, {"key": "email", "count": 1}]
    assert body["by_outcome"] == [{"key": "corrected", "count": 1}]
    assert body["first_response_hours"] == {"count": 2, "median": 10, "p90": 16.4}  # 2, 18
    assert body["decision_hours"] == {"count": 1, "median": 24, "p90": 24}
    assert body["overdue"]["count"] == 1  # RPT001: queued, unanswered, due on 4 November
    assert body["top_articles"][0]["count"] == 3
    assert body["screening"]["held"] == 1 and body["screening"]["pending"] == 1
    # One day only: Friday the 4th.
    _, _, friday = report(gateway, tokens, **{"from": "2026-11-06", "to": "2026-11-06"})
    assert friday["total"] == 1 and friday["by_type"] == [{"key": "removal", "count": 1}]


def test_the_csv_is_excel_ready_and_formula_safe(aws, gateway, tokens):
    seeded(aws)
    status, headers, text = gateway(
        "GET",
        "/editor/api/reports",
        token=tokens(),
        query={"from": "2026-11-02", "to": "2026-11-08", "format": "csv"},
    )
    assert status == 200
    assert headers["content-type"].startswith("text/csv")
    assert 'filename="corrigo-report-2026-11-02-2026-11-08.csv"' in headers["content-disposition"]
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["分类", "项目", "说明", "数值"]
    assert ["按类型", "更正", "", "2"] in rows
    titles = [r[1] for r in rows if r[0] == "申请最多的稿件"]
    assert titles == ["'=cmd|' /C calc'!A0"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    _, _, english = gateway(
        "GET",
        "/editor/api/reports",
        token=tokens(),
        query={"from": "2026-11-02", "to": "2026-11-08", "format": "csv"},
        headers={"accept-language": "en"},
    )
    assert next(csv.reader(io.StringIO(english[1:]))) == ["Section", "Item", "Detail", "Value"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-31", "to": "2026-11-08"}, "from"),
        ({"from": "yesterday", "to": "2026-11-08"}, "from"),
        ({"from": "2026-11-08", "to": "2026-11-02"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ({"from": "2026-11-02"}, "to"),
        ({"from": "2026-11-02", "to": "2026-11-08", "format": "xlsx"}, "format"),
    ],
)
def test_a_bad_range_is_a_problem_naming_the_field(gateway, tokens, query, field):
    status, headers, body = report(gateway, tokens, **query)
    assert status == 400
    assert headers["content-type"].startswith("application/problem+json")
    assert body["errors"][0]["field"] == field


def test_the_range_problem_speaks_the_callers_language(gateway, tokens):
    query = {"from": "2026-11-08", "to": "2026-11-02"}
    _, _, zh = gateway("GET", "/editor/api/reports", token=tokens(), query=query)
    _, _, en = gateway("GET", "/editor/api/reports", token=tokens(), query=query, headers={"accept-language": "en"})
    assert zh["errors"][0]["message"] == "不能早于开始日期"
    assert en["errors"][0]["message"] == "must not be before the start date"


def test_reports_need_an_editor(gateway, tokens):
    query = {"from": "2026-11-02", "to": "2026-11-08"}
    assert gateway("GET", "/editor/api/reports", query=query)[0] == 401
    assert gateway("GET", "/editor/api/reports", token=tokens(groups=()), query=query)[0] == 403


def test_a_request_decided_through_the_api_is_in_todays_report(aws, gateway, tokens, queued):
    reference = queued()
    token = tokens()
    assert gateway("POST", f"/editor/api/requests/{reference}/claim", token=token)[0] == 200
    decision = {"outcome": "corrected", "reply": "已更正", "public_note": ""}
    assert gateway("POST", f"/editor/api/requests/{reference}/resolve", token=token, body=decision)[0] == 200
    today = beijing_date(datetime.now(UTC)).isoformat()
    status, _, body = report(gateway, tokens, **{"from": today, "to": today})
    assert status == 200, body
    assert body["by_outcome"] == [{"key": "corrected", "count": 1}]
    assert body["first_response_hours"]["count"] == 1
    assert body["decision_hours"]["count"] == 1


def test_the_backfill_puts_old_requests_in_the_index(aws, gateway, tokens):
    from adapters.dynamo import Dynamo
    from infra.backfill_created_day import backfill

    old = replace(
        BASE,
        reference="CR-2026-RPT010",
        status=Status.RESOLVED,
        outcome="rejected",
        first_response_at=BASE.created_at,
        updated_at="2026-11-11T00:00:00.000Z",
    )
    store(aws, old, drop=("created_day", "decided_at", "request_type", "article_url", "article_title"))
    # The resolution as the audit trail recorded it: the backfill takes the decision time from here.
    aws.clients("dynamodb").put_item(
        TableName=aws.ref("RequestsTable"),
        Item={
            "pk": {"S": "REQ#CR-2026-RPT010"},
            "sk": {"S": "EVENT#2026-11-03T01:00:00.000Z#resolve"},
            "at": {"S": "2026-11-03T01:00:00.000Z"},
            "action": {"S": "resolve"},
            "actor": {"S": "editor@news.example.cn"},
            "status_before": {"S": "in_review"},
            "status_after": {"S": "resolved"},
            "detail": {"S": "rejected"},
        },
    )
    query = {"from": "2026-11-02", "to": "2026-11-02"}
    assert report(gateway, tokens, **query)[2]["total"] == 0  # not in the index yet
    db = Dynamo(aws.ref("RequestsTable"), aws.clients("dynamodb"))
    assert backfill(db, dry_run=True).updated == 1
    assert report(gateway, tokens, **query)[2]["total"] == 0  # a dry run changes nothing
    assert backfill(db).updated == 1
    body = report(gateway, tokens, **query)[2]
    assert body["total"] == 1
    assert body["by_outcome"] == [{"key": "rejected", "count": 1}]
    assert body["decision_hours"] == {"count": 1, "median": 24, "p90": 24}  # from the event, not updated_at
    assert backfill(db).updated == 0  # once is enough
