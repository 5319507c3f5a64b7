"""The editor-in-chief's report for one month with 10,000 requests that month (in-process moto),
beside the raw index queries it makes.

Ours is the whole GET /editor/api/reports through the editor handler (claims check, range check, one
Query per Beijing day of the `created` index, decoding, the numbers, JSON; and the CSV). The baseline
is the same Queries, raw: every page of each day of the month, nothing decoded or counted.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.queue_listing import _time
from bench.report import Row, ms, percentile, ratio

REQUESTS = int(os.environ.get("BENCH_REPORTS_REQUESTS", "10000"))
# Each report is 30 Queries, and in-process moto serialises every item it answers slowly (about 15 ms
# an item, whatever the projection), so a month at 10,000 takes minutes: a few calls are enough.
CALLS = int(os.environ.get("BENCH_REPORTS_CALLS", "3"))
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


def _fill(stack: Any, count: int) -> None:
    from adapters.dynamo import Dynamo
    from adapters.request_items import request_item
    from corrigo.lifecycle import Status
    from corrigo.model import CorrectionRequest, iso

    db = Dynamo(stack.ref("RequestsTable"), stack.clients("dynamodb"))
    rng = random.Random(11)
    start = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 1 November, 00:00 in Beijing
    span = (LAST - FIRST).days + 1
    base = CorrectionRequest(
        reference="", status=Status.QUEUED, fields={}, language="zh", channel="web", created_at="", updated_at="",
        urgency=3, first_response_due="", decision_due="", status_token="t",
    )  # fmt: skip
    batch: list[dict[str, Any]] = []
    for i in range(count):
        created = start + timedelta(seconds=span * 86400 * i / count)
        answered = created + timedelta(hours=rng.uniform(0.5, 60))
        decided = answered + timedelta(hours=rng.uniform(1, 120))
        status = rng.choices([Status.RESOLVED, Status.QUEUED, Status.IN_REVIEW, Status.QUARANTINED], [80, 10, 7, 3])[0]
        request = replace(
            base,
            reference=f"CR-2026-{i:06d}",
            status=status,
            channel=rng.choice(["web", "web", "email", "api"]),
            fields={
                "request_type": rng.choice(["removal", "copyright", "correction", "update", "other"]),
                "article_title": f"稿件 {i % 800}",
                "article_url": f"https://news.example.cn/a/{i % 800}",
                "original_text": "原文" * 200,  # the projection leaves this out
            },
            created_at=iso(created),
            updated_at=iso(created),
            first_response_due=iso(created + timedelta(days=2)),
            decision_due=iso(created + timedelta(days=7)),
            first_response_at=iso(answered)
            if status is not Status.QUARANTINED and status is not Status.QUEUED
            else None,
            decided_at=iso(decided) if status is Status.RESOLVED else None,
            outcome=rng.choice(["corrected", "updated", "removed", "rejected"]) if status is Status.RESOLVED else None,
            screening={"verdict": "suspect" if status is Status.QUARANTINED or i % 50 == 0 else "pass"},
        )
        batch.append({"PutRequest": {"Item": db.encode(request_item(request))}})
        if len(batch) == 25 or i == count - 1:
            stack.clients("dynamodb").batch_write_item(RequestItems={db.table_name: batch})
            batch = []


def run() -> list[Row]:
    from bench.moto_stack import template_stack

    with template_stack() as stack:
        from tests.support.events import http_event

        filled = time.perf_counter()
        _fill(stack, REQUESTS)
        filled = time.perf_counter() - filled
        from corrigo.reports import days_between
        from handlers import editor_api

        context = stack.context("EditorFunction")
        claims = {
            "cognito:groups": "[editors]",
            "cognito:username": "chief@news.example.cn",
            "email": "chief@news.example.cn",
        }

        def report(csv: bool) -> None:
            query = {"from": FIRST.isoformat(), "to": LAST.isoformat(), **({"format": "csv"} if csv else {})}
            event = http_event("GET", "/editor/api/reports", query=query, headers={"accept": "application/json"})
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
            answer = editor_api.handler(event, context)
            assert answer["statusCode"] == 200, answer

        dynamodb, table = stack.clients("dynamodb"), stack.ref("RequestsTable")
        days = days_between(FIRST, LAST)

        def raw() -> None:
            for day in days:
                query: dict[str, Any] = {
                    "TableName": table,
                    "IndexName": "created",
                    "KeyConditionExpression": "created_day = :day",
                    "ExpressionAttributeValues": {":day": {"S": day.isoformat()}},
                }
                while True:
                    page = dynamodb.query(**query)
                    if "LastEvaluatedKey" not in page:
                        break
                    query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

        report(False)  # warm: the handler's imports and clients
        raw()
        floor = _time(raw, CALLS)
        f50, f99 = percentile(floor, 50), percentile(floor, 99)
        rows: list[Row] = [
            (f"requests that month (filled in {filled:.0f} s)", str(REQUESTS), ""),
            ("index queries per report (one per day)", str(len(days)), ""),
        ]
        for name, csv in (("JSON report, one month", False), ("CSV report, one month", True)):
            times = _time(lambda c=csv: report(c), CALLS)
            p50, p99 = percentile(times, 50), percentile(times, 99)
            rows.append(
                (
                    f"{name}: p50 / p99 (ratio p99)",
                    f"{ms(p50)} / {ms(p99)} ({ratio(p99, f99)})",
                    f"{ms(f50)} / {ms(f99)} raw Queries",
                )
            )
        return rows
