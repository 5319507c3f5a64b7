"""Editors' queue listing with 10,000 requests in the table (in-process moto), beside a raw GSI query.

Ours is the whole GET /editor/api/requests through the editor handler (claims check, filter parsing,
one Query per status partition of the `queue` index, merge, JSON). The baseline is one raw Query of
the `queue` index for the same page size on the biggest partition: the floor of any listing.
"""

from __future__ import annotations

import gc
import os
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.report import Row, ms, percentile, ratio

REQUESTS = int(os.environ.get("BENCH_QUEUE_REQUESTS", "10000"))
CALLS = int(os.environ.get("BENCH_QUEUE_CALLS", "20"))
PAGE = 25
# How the 10,000 are spread: most are done, the open queue is a few hundred, as in a newsroom.
SPREAD = (
    ("resolved", 0.80),
    ("queued", 0.12),
    ("in_review", 0.04),
    ("awaiting_requester", 0.03),
    ("quarantined", 0.01),
)


def _fill(stack: Any, count: int) -> None:
    from adapters.requests_table import RequestsTable, event_item, request_item
    from corrigo.lifecycle import Action, AuditEvent, Status
    from corrigo.model import CorrectionRequest, iso
    from corrigo.references import new_reference
    from corrigo.urgency import urgency_of

    table = RequestsTable(stack.ref("RequestsTable"))
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    rng = random.Random(4)
    statuses = [s for s, share in SPREAD for _ in range(round(share * 100))]
    base = CorrectionRequest(
        reference="", status=Status.QUEUED, fields={}, language="zh", channel="web", created_at="", updated_at="",
        urgency=3, first_response_due="", decision_due="", status_token="t",
    )  # fmt: skip
    batch: list[dict[str, Any]] = []
    for i in range(count):
        kind = rng.choice(["removal", "copyright", "correction", "update", "other"])
        created = start + timedelta(minutes=37 * i)
        request = replace(
            base,
            reference=new_reference(created),
            status=Status(statuses[i % len(statuses)]),
            fields={
                "request_type": kind,
                "article_title": f"稿件 {i}",
                "article_url": f"https://news.example.cn/a/{i % 3000}",
                "requester_name": f"申请人{i}",
            },
            created_at=iso(created),
            updated_at=iso(created),
            urgency=urgency_of(kind),
            first_response_due=iso(created + timedelta(days=2)),
            decision_due=iso(created + timedelta(days=7)),
            assignee="editor@news.example.cn" if i % 7 == 0 else None,
        )
        event = AuditEvent(iso(created), Action.SUBMIT, "requester", None, request.status)
        batch += [
            {"PutRequest": {"Item": table._encode(request_item(request))}},
            {"PutRequest": {"Item": table._encode(event_item(request.reference, event))}},
        ]
        if len(batch) >= 24 or i == count - 1:
            table.dynamodb.batch_write_item(RequestItems={table.table_name: batch})
            batch = []


def _time(fn: Any, calls: int) -> list[float]:
    times = []
    gc.disable()
    for i in range(calls):
        if i % 50 == 0:
            gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    gc.enable()
    return times


def run() -> list[Row]:
    from bench.moto_stack import template_stack

    with template_stack() as stack:
        from tests.support.events import http_event

        filled = time.perf_counter()
        _fill(stack, REQUESTS)
        filled = time.perf_counter() - filled
        from handlers import editor_api

        context = stack.context("EditorFunction")
        claims = {
            "cognito:groups": "[editors]",
            "cognito:username": "editor@news.example.cn",
            "email": "editor@news.example.cn",
        }

        def listing(query: dict[str, str | None]) -> dict[str, Any]:
            query = {name: value for name, value in query.items() if value is not None}  # no next page: no cursor
            event = http_event(
                "GET", "/editor/api/requests", query=query or None, headers={"accept": "application/json"}
            )
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
            answer = editor_api.handler(event, context)
            assert answer["statusCode"] == 200, answer
            return answer

        import json

        second = json.loads(listing({"limit": str(PAGE)})["body"])["next_cursor"]
        dynamodb, table = stack.clients("dynamodb"), stack.ref("RequestsTable")

        def raw() -> None:
            dynamodb.query(
                TableName=table,
                IndexName="queue",
                KeyConditionExpression="queue_status = :s",
                ExpressionAttributeValues={":s": {"S": "queued"}},
                Limit=PAGE,
            )

        for _ in range(10):
            listing({})
            raw()
        cases = [
            ("first page, open queue", {"limit": str(PAGE)}),
            ("next page (cursor)", {"limit": str(PAGE), "cursor": second}),
            ("urgency=1 (key condition)", {"limit": str(PAGE), "urgency": "1"}),
            ("q=申请人12 (filtered in code)", {"limit": str(PAGE), "q": "申请人12"}),
        ]
        rows: list[Row] = [(f"requests in the table (filled in {filled:.0f} s)", str(REQUESTS), "")]
        floor = _time(raw, CALLS)
        f50, f99 = percentile(floor, 50), percentile(floor, 99)
        for name, query in cases:
            times = _time(lambda q=query: listing(q), CALLS)
            p50, p99 = percentile(times, 50), percentile(times, 99)
            rows.append(
                (
                    f"{name} p50 ({CALLS} calls)",
                    f"{ms(p50)} ({ratio(p50, f50)})",
                    f"{ms(f50)} raw GSI Query, {PAGE} items",
                )
            )
            rows.append((f"{name} p99", f"{ms(p99)} ({ratio(p99, f99)})", ms(f99)))
    return rows
