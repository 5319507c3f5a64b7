"""Warm intake: POST /requests through the real handler on in-process moto, beside a minimal
handler that makes the same AWS calls with plain boto3. Calls alternate, so both see the same
table size (moto's transactions slow down as tables grow)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
import uuid
from typing import Any

from bench.report import Row, ms, percentile, ratio

# Issue 2 asks for 2,000; on moto the process then grows by several MB a call (moto's state, not
# ours: see the closing note of issue 5) until the machine runs out of memory, so the default is lower.
INVOCATIONS = int(os.environ.get("BENCH_WARM_INVOCATIONS", "500"))
# moto copies the whole table inside every transaction, so its cost grows with the table, and its
# garbage (collected between calls) with it: an unbounded run once reached 24 GB. Every path starts
# each block of calls on an emptied table, so all three meet the same sizes (0 to ~1,500 items).
TABLE_RESET_EVERY = 250


def _empty_table(dynamodb: Any, table: str) -> None:
    keys = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="pk, sk"):
        keys.extend(page["Items"])
    for start in range(0, len(keys), 25):
        batch = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={table: batch})


def _count_calls(clients: list[Any]) -> list[str]:
    calls: list[str] = []
    for client in clients:
        client.meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
    return calls


def run() -> list[Row]:
    from bench.moto_stack import template_stack

    with template_stack() as stack:
        from adapters.aws import client
        from corrigo.schema import schema_dir
        from handlers import api
        from tests.support.events import http_event

        sample = json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))
        body = json.dumps(sample, ensure_ascii=False)
        context = stack.context("ApiFunction")
        calls = _count_calls([client("dynamodb"), client("sqs")])
        plain_dynamodb, plain_sqs = stack.clients("dynamodb"), stack.clients("sqs")
        table, queue = stack.ref("RequestsTable"), stack.ref("IntakeQueue")

        # Screening's share of the synchronous path: the rate-limit counters folded into the request's
        # transaction (the rest of screening runs in the worker). Same handler, same run, with the
        # counters on (ceilings out of reach, so every call counts) and off.
        from dataclasses import replace

        from adapters.queues import Queue
        from adapters.requests_table import RequestsTable
        from corrigo.ratelimit import parse_limits
        from services.intake import IntakeService

        def service(limits: str) -> IntakeService:
            chosen = replace(api.SETTINGS, rate_limits=parse_limits(limits))
            return IntakeService(chosen, RequestsTable(chosen.table_name), Queue(chosen.intake_queue_url))

        with_screening = service("email=100000000/3600,ip=100000000/3600")
        without_screening = service("off")
        current = [with_screening]
        api.intake = lambda: current[0]  # type: ignore[assignment]

        def ours(key: str | None) -> None:
            headers = {"content-type": "application/json", **({"idempotency-key": key} if key else {})}
            response = api.handler(http_event("POST", "/requests", body=body, headers=headers), context)
            assert response["statusCode"] == 202, response

        def minimal() -> None:
            # The floor: parse, write the request and its event in one transaction, queue it, answer.
            reference = uuid.uuid4().hex[:12]
            document = json.loads(body)
            item = {
                "pk": {"S": f"REQ#{reference}"},
                "sk": {"S": "REQUEST"},
                "fields": {"M": {k: {"S": str(v)} for k, v in document.items()}},
            }
            event = {"pk": {"S": f"REQ#{reference}"}, "sk": {"S": "EVENT#x"}}
            plain_dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": item}},
                    {"Put": {"TableName": table, "Item": event}},
                ]
            )
            plain_sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"reference": reference}))

        for _ in range(20):  # warm both paths
            ours(None)
            minimal()
        calls.clear()
        ours(None)
        calls_plain = list(calls)
        calls.clear()
        ours(f"bench-{uuid.uuid4()}")
        calls_keyed = list(calls)

        ours_times, floor_times, bare_times = [], [], []
        # moto deep-copies whole tables inside every transaction; the garbage collector's pauses over
        # those copies land on whichever call triggers them. Collect between calls, not during them.
        gc.disable()
        for i in range(INVOCATIONS):
            if i % 10 == 0:
                gc.collect()
            if i % TABLE_RESET_EVERY == TABLE_RESET_EVERY - 1:
                _empty_table(plain_dynamodb, table)
            start = time.perf_counter()
            ours(f"k-{i}" if i % 2 else None)
            ours_times.append(time.perf_counter() - start)
            current[0] = without_screening
            start = time.perf_counter()
            ours(f"b-{i}" if i % 2 else None)
            bare_times.append(time.perf_counter() - start)
            current[0] = with_screening
            start = time.perf_counter()
            minimal()
            floor_times.append(time.perf_counter() - start)
            # Keep the queue short: moto's SendMessage slows down with every message queued.
            if i % TABLE_RESET_EVERY == TABLE_RESET_EVERY - 1:
                with contextlib.suppress(plain_sqs.exceptions.PurgeQueueInProgress):  # one purge a minute
                    plain_sqs.purge_queue(QueueUrl=queue)
        gc.enable()

    p50, p99 = percentile(ours_times, 50), percentile(ours_times, 99)
    f50, f99 = percentile(floor_times, 50), percentile(floor_times, 99)
    b50, b99 = percentile(bare_times, 50), percentile(bare_times, 99)
    return [
        ("with screening p99 vs without (same run; target ≤ +10%)", f"{ms(p99)} ({ratio(p99, b99)})", ms(b99)),
        ("with screening p50 vs without", f"{ms(p50)} ({ratio(p50, b50)})", ms(b50)),
        (f"POST /requests p50 ({INVOCATIONS} calls)", f"{ms(p50)} ({ratio(p50, f50)})", ms(f50)),
        (f"POST /requests p99 ({INVOCATIONS} calls)", f"{ms(p99)} ({ratio(p99, f99)})", ms(f99)),
        (
            "AWS calls before the 202, no Idempotency-Key",
            f"{len(calls_plain)}: {', '.join(calls_plain)}",
            "2: TransactWriteItems, SendMessage",
        ),
        ("AWS calls before the 202, with Idempotency-Key", f"{len(calls_keyed)}: {', '.join(calls_keyed)}", "2"),
    ]
