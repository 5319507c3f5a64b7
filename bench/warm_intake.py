"""Warm intake: POST /requests through the real handler on in-process moto, beside a minimal
handler that makes the same AWS calls with plain boto3. Calls alternate, so both see the same
table size. The first and the last tenth of the calls are compared too: moto's costs must not grow
with the data (infra/moto_fixes, applied by bench.moto_stack)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
import uuid
from typing import Any

from bench.report import Row, ms, percentile, ratio

# Issue 2 asks for 2,000. (Before infra/moto_fixes, moto copied the tables inside every transaction
# and kept the copies: the process grew by several MB a call and the table was emptied every 250.)
INVOCATIONS = int(os.environ.get("BENCH_WARM_INVOCATIONS", "2000"))


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
        # The garbage collector's pauses land on whichever call triggers them: collect between calls.
        gc.disable()
        for i in range(INVOCATIONS):
            if i % 10 == 0:
                gc.collect()
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
            # Nobody consumes the intake queue here, as the worker would: keep it as short as it keeps it.
            if i % 250 == 249:
                with contextlib.suppress(plain_sqs.exceptions.PurgeQueueInProgress):  # one purge a minute
                    plain_sqs.purge_queue(QueueUrl=queue)
        gc.enable()

    p50, p99 = percentile(ours_times, 50), percentile(ours_times, 99)
    f50, f99 = percentile(floor_times, 50), percentile(floor_times, 99)
    b50, b99 = percentile(bare_times, 50), percentile(bare_times, 99)
    tenth = max(1, INVOCATIONS // 10)
    early, late = percentile(ours_times[:tenth], 50), percentile(ours_times[-tenth:], 50)
    floor_early, floor_late = percentile(floor_times[:tenth], 50), percentile(floor_times[-tenth:], 50)
    return [
        (
            f"POST /requests p50, last {tenth} calls vs first {tenth}",
            f"{ms(late)} vs {ms(early)} ({ratio(late, early)})",
            f"{ms(floor_late)} vs {ms(floor_early)} ({ratio(floor_late, floor_early)})",
        ),
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
