"""The local stack under 16 concurrent clients: submissions per second, errors, and the time until
every acknowledgement is in the outbox — beside the same AWS calls made straight against the same
moto server (the floor). Phases alternate (ours, floor, ours, floor) so both meet the same table size.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.report import Row, ratio

CLIENTS = 16
SECONDS = float(os.environ.get("BENCH_STACK_SECONDS", "20"))
SAMPLE = (Path(__file__).resolve().parent.parent / "schemas" / "samples" / "valid" / "correction-zh.json").read_text(
    "utf-8"
)


def _hammer(seconds: float, call: Any) -> tuple[int, Counter[str]]:
    """CLIENTS threads calling `call()` until the time is up; returns successes and errors by kind."""
    stop_at = time.monotonic() + seconds
    done = [0] * CLIENTS
    errors: Counter[str] = Counter()
    lock = threading.Lock()

    def client(index: int) -> None:
        while time.monotonic() < stop_at:
            try:
                call()
                done[index] += 1
            except Exception as exc:  # every failure is counted, by kind
                with lock:
                    errors[type(exc).__name__ + ":" + str(getattr(exc, "code", ""))] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), errors


def run() -> list[Row]:
    import boto3

    from tests.support.stack_process import start_stack, stop_stack

    stack = start_stack()
    try:
        references: list[str] = []
        references_lock = threading.Lock()

        def submit() -> None:
            request = urllib.request.Request(
                stack.base_url + "/requests", data=SAMPLE.encode(), headers={"content-type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status != 202:
                    raise RuntimeError(f"status {response.status}")
                reference = json.loads(response.read())["reference"]
            with references_lock:
                references.append(reference)

        session = boto3.session.Session(
            aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
        )
        dynamodb = session.client("dynamodb", endpoint_url=stack.aws_url)
        sqs = session.client("sqs", endpoint_url=stack.aws_url)
        table = next(t for t in dynamodb.list_tables()["TableNames"] if "RequestsTable" in t)
        # A fresh floor queue per phase: moto's SendMessage slows with every message queued, and the
        # intake queue is drained by the pollers, so the floor's queue must not grow without end either.
        floor_queues = [sqs.create_queue(QueueName=f"bench-floor-{i}")["QueueUrl"] for i in range(2)]
        floor_queue = floor_queues[0]

        def floor_call() -> None:
            key = uuid.uuid4().hex[:12]
            item = {"pk": {"S": f"BENCH#{key}"}, "sk": {"S": "REQUEST"}, "body": {"S": SAMPLE}}
            event = {"pk": {"S": f"BENCH#{key}"}, "sk": {"S": "EVENT#x"}}
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": item}},
                    {"Put": {"TableName": table, "Item": event}},
                ]
            )
            sqs.send_message(QueueUrl=floor_queue, MessageBody=json.dumps({"reference": key}))

        ours_done, floor_done = 0, 0
        ours_errors: Counter[str] = Counter()
        floor_errors: Counter[str] = Counter()
        for phase in range(2):
            floor_queue = floor_queues[phase]
            done, errors = _hammer(SECONDS / 2, submit)
            ours_done, ours_errors = ours_done + done, ours_errors + errors
            done, errors = _hammer(SECONDS / 2, floor_call)
            floor_done, floor_errors = floor_done + done, floor_errors + errors
        finished = time.monotonic()

        wanted = set(references)
        counts: Counter[str] = Counter()
        drained_after = None
        while time.monotonic() - finished < 300:
            counts = Counter(ref for m in stack.outbox() for ref in wanted if ref in m["subject"])
            if set(counts) == wanted:
                drained_after = time.monotonic() - finished
                break
            time.sleep(0.5)
        duplicates = sum(1 for c in counts.values() if c > 1)
    finally:
        stop_stack(stack)

    ours_rate, floor_rate = ours_done / SECONDS, floor_done / SECONDS
    return [
        (
            f"submissions/s, {CLIENTS} clients, {SECONDS:.0f} s",
            f"{ours_rate:.1f} ({ratio(ours_rate, floor_rate)} of floor)",
            f"{floor_rate:.1f} TransactWriteItems+SendMessage/s",
        ),
        (
            "errors",
            f"{sum(ours_errors.values())} {dict(ours_errors) or ''}",
            f"{sum(floor_errors.values())} {dict(floor_errors) or ''}",
        ),
        ("acknowledgements in the outbox", f"{len(counts)}/{len(wanted)}, {duplicates} sent twice", ""),
        (
            "time from last submission to last acknowledgement",
            f"{drained_after:.1f} s" if drained_after is not None else "not all within 300 s",
            "",
        ),
    ]
