"""Cold start: fresh processes that import each handler and run its module-level set-up,
beside fresh processes that only import boto3 and create the same clients (the floor)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Row, median, ms, ratio

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_COLD_RUNS", "15"))
ENV = {
    "SITE_DOMAINS": "news.example.cn",
    "PUBLIC_BASE_URL": "https://c.example.cn",
    "TABLE_NAME": "t",
    "INTAKE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "POWERTOOLS_SERVICE_NAME": "corrigo",
    "POWERTOOLS_METRICS_NAMESPACE": "Corrigo",
    "POWERTOOLS_TRACE_DISABLED": "true",
}

# What each handler's process does at cold start, and what a first request then adds (clients, validator).
HANDLERS = {
    "api": (
        "import handlers.api",
        "handlers.api.intake().table.dynamodb; handlers.api.intake().queue.sqs; from corrigo.validation import warm_up; warm_up(['news.example.cn'])",
    ),
    "intake_worker": (
        "import handlers.intake_worker",
        "handlers.intake_worker.worker().table.dynamodb; handlers.intake_worker.worker().notifier.mailer.ses",
    ),
}
FLOORS = {
    "api": "import boto3; boto3.client('dynamodb'); boto3.client('sqs')",
    "intake_worker": "import boto3; boto3.client('dynamodb'); boto3.client('sesv2')",
}


def _wall(code: str) -> float:
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT / "functions")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    return time.perf_counter() - start


def _median_of(code: str) -> float:
    _wall(code)  # once to warm the OS file cache, as a Lambda image would be
    return median([_wall(code) for _ in range(RUNS)])


def run() -> list[Row]:
    bare = _median_of("pass")
    rows: list[Row] = [("bare interpreter start", ms(bare), "")]
    for name, (init, first_use) in HANDLERS.items():
        floor = _median_of(FLOORS[name])
        ours_init = _median_of(init)
        ours_ready = _median_of(f"{init}; {first_use}")
        rows.append(
            (
                f"{name}: import + module set-up",
                f"{ms(ours_init)} ({ratio(ours_init, floor)} floor)",
                f"{ms(floor)} boto3 + same clients",
            )
        )
        rows.append(
            (
                f"{name}: … + clients and validator ready",
                f"{ms(ours_ready)} ({ratio(ours_ready, floor)} floor)",
                f"{ms(floor)}",
            )
        )
    return rows
