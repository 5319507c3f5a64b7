"""Editors' queue listing, search and counts at each size of BENCH_QUEUE_SIZES (default 10,000 and
100,000 requests), in-process moto, beside one raw index query in the same run.

Ours is the whole GET /editor/api/requests (or /counts) through the editor handler: claims check,
filter parsing, the Query of the one `queue` partition the filter reads (or, for a search, the search
index's postings and a BatchGetItem of the candidates), the checks in code, the JSON. The baseline is
one raw Query of the `queue` index for a page (25 items) of its biggest partition, the open queue:
the floor of any listing.

The table is filled straight into moto's backend with the very items the service writes on creation
(adapters.request_items: the request, its event, its rows in the queue's views, its search tokens;
the per-status counters summed once), not through the API: 100,000 creations through moto's
transactions would take most of an hour. moto answers a Query of a global index by one pass over the
whole table (infra/moto_fixes/dynamodb_queries.py), so at 100,000 requests both the listing and the
baseline pay that pass: the ratio is the measure, not the milliseconds.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.report import Row, ms, percentile, ratio

SIZES = [int(n) for n in os.environ.get("BENCH_QUEUE_SIZES", "10000,100000").split(",") if n.strip()]
# Calls per measure: 20, or 8 past 10,000 requests (each Query of an index there costs moto seconds).
CALLS = os.environ.get("BENCH_QUEUE_CALLS", "")
PAGE = 25
EDITOR = "editor@news.example.cn"
# How the requests are spread: most are done, the open queue is a fifth, as in a newsroom.
SPREAD = (
    ("resolved", 0.80),
    ("queued", 0.12),
    ("in_review", 0.04),
    ("awaiting_requester", 0.03),
    ("quarantined", 0.01),
)


def _requests(count: int) -> Any:
    from corrigo.lifecycle import Action, AuditEvent, Status
    from corrigo.model import CorrectionRequest, iso
    from corrigo.references import new_reference
    from corrigo.urgency import urgency_of

    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    rng = random.Random(4)
    statuses = [s for s, share in SPREAD for _ in range(round(share * 100))]
    base = CorrectionRequest(
        reference="", status=Status.QUEUED, fields={}, language="zh", channel="web", created_at="", updated_at="",
        urgency=3, first_response_due="", decision_due="", status_token="t",
    )  # fmt: skip
    for i in range(count):
        kind = rng.choice(["removal", "copyright", "correction", "update", "other"])
        created = start + timedelta(minutes=37 * i)
        status = Status(statuses[i % len(statuses)])
        request = replace(
            base,
            reference=new_reference(created),
            status=status,
            fields={
                "request_type": kind,
                "article_title": f"稿件 {i}",
                "article_url": f"https://news.example.cn/a/{i % 3000}",
                "requester_name": f"申请人{i}",
                "requester_email": f"reader{i}@example.org",
            },
            created_at=iso(created),
            updated_at=iso(created),
            urgency=urgency_of(kind),
            first_response_due=iso(created + timedelta(days=2)),
            decision_due=iso(created + timedelta(days=7)),
            assignee=EDITOR if i % 7 == 0 and status is not Status.QUEUED else None,
        )
        yield request, AuditEvent(iso(created), Action.SUBMIT, "requester", None, request.status)


def _fill(stack: Any, count: int) -> int:
    """The items creation writes, straight into moto's table; returns how many items that is."""
    from moto.dynamodb.models import dynamodb_backends

    from adapters.dynamo import Dynamo
    from adapters.queue_counters import COUNTS_PK, counted_as
    from adapters.request_items import event_item, kept_writes, request_item

    name = stack.ref("RequestsTable")
    backend = dynamodb_backends["123456789012"]["us-east-1"]
    table = backend.get_table(name)
    db = Dynamo(name, stack.clients("dynamodb"))
    counts: Counter[str] = Counter()
    items = 0
    for request, event in _requests(count):
        encoded = [db.encode(request_item(request)), db.encode(event_item(request.reference, event))]
        encoded += [w.element["Put"]["Item"] for w in kept_writes(db, None, request) if "Put" in w.element]
        for item in encoded:
            table.put_item(item)
        items += len(encoded)
        if (status := counted_as(request)) is not None:
            counts[status] += 1
    shard = {"pk": COUNTS_PK, "sk": "SHARD#00", **counts}
    table.put_item(db.encode(shard))
    return items + 1


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


def _measure(count: int) -> list[Row]:
    from bench.moto_stack import template_stack

    calls = int(CALLS) if CALLS else (20 if count <= 10_000 else 8)
    with template_stack() as stack:
        from tests.support.events import http_event

        filled = time.perf_counter()
        items = _fill(stack, count)
        filled = time.perf_counter() - filled
        from handlers import editor_api

        context = stack.context("EditorFunction")
        claims = {"cognito:groups": "[editors]", "cognito:username": EDITOR, "email": EDITOR}

        def call(path: str, query: dict[str, str]) -> dict[str, Any]:
            event = http_event("GET", path, query=query or None, headers={"accept": "application/json"})
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
            answer = editor_api.handler(event, context)
            assert answer["statusCode"] == 200, answer
            return dict(json.loads(answer["body"]))

        second = call("/editor/api/requests", {"limit": str(PAGE)})["next_cursor"]
        found = call("/editor/api/requests", {"q": "申请人12", "status": "resolved,queued,in_review"})["items"]
        names = [item["requester_name"] for item in found]
        assert "申请人12" in names and all("申请人12" in name for name in names), names
        dynamodb, table = stack.clients("dynamodb"), stack.ref("RequestsTable")

        def raw() -> None:
            dynamodb.query(
                TableName=table,
                IndexName="queue",
                KeyConditionExpression="queue_status = :s",
                ExpressionAttributeValues={":s": {"S": "open"}},
                Limit=PAGE,
            )

        for _ in range(3):
            call("/editor/api/requests", {})
            raw()
        listings = [
            ("first page, open queue", "/editor/api/requests", {"limit": str(PAGE)}),
            ("next page (cursor)", "/editor/api/requests", {"limit": str(PAGE), "cursor": second}),
            ("urgency=1", "/editor/api/requests", {"limit": str(PAGE), "urgency": "1"}),
            ("status=in_review", "/editor/api/requests", {"limit": str(PAGE), "status": "in_review"}),
            ("type=removal", "/editor/api/requests", {"limit": str(PAGE), "type": "removal"}),
            ("overdue=true", "/editor/api/requests", {"limit": str(PAGE), "overdue": "true"}),
            ("mine=true", "/editor/api/requests", {"limit": str(PAGE), "mine": "true"}),
            ("counts per status", "/editor/api/counts", {}),
        ]
        searches = [
            ("search q=申请人12 (a rare token)", "/editor/api/requests", {"limit": str(PAGE), "q": "申请人12"}),
            ("search q=reader4242@example.org", "/editor/api/requests", {"limit": str(PAGE), "q": "reader4242@example.org"}),
            ("search q=稿件 (in every title)", "/editor/api/requests", {"limit": str(PAGE), "q": "稿件"}),
        ]  # fmt: skip
        rows: list[Row] = [(f"{count:,} requests ({items:,} items, filled in {filled:.0f} s)", "", "")]
        floor = _time(raw, calls)
        f50, f99 = percentile(floor, 50), percentile(floor, 99)
        rows.append((f"raw Query of the open partition, {PAGE} items: p50 / p99", f"{ms(f50)} / {ms(f99)}", ""))
        for cases, target in ((listings, "≤ 1.5×"), (searches, "≤ 2×")):
            for name, path, query in cases:
                times = _time(lambda p=path, q=query: call(p, q), calls)
                p50, p99 = percentile(times, 50), percentile(times, 99)
                rows.append(
                    (
                        f"{name}: p50 / p99 ({calls} calls; p99 target {target})",
                        f"{ms(p50)} ({ratio(p50, f50)}) / {ms(p99)} ({ratio(p99, f99)})",
                        f"{ms(f50)} / {ms(f99)} raw",
                    )
                )
    return rows


def run() -> list[Row]:
    return [row for count in SIZES for row in _measure(count)]
