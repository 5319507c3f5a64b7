"""The breaking story of bench/comments.py, on the local stack (``python -m infra.local``, as ``make run``
starts it, comment rate limits off): BENCH_COMMENTS_STORY (10,000) comments from
BENCH_COMMENTS_COMMENTERS verified readers over 8 clients, as fast as the stack answers; then none
lost, each pending exactly once, and the moderators' first page of the pending queue beside one raw
Query of the ``moderation`` index."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from typing import Any

from bench.report import Row, ms, percentile, ratio

STORY = int(os.environ.get("BENCH_COMMENTS_STORY", "10000"))
COMMENTERS = int(os.environ.get("BENCH_COMMENTS_COMMENTERS", "40"))
CLIENTS = 8
STORY_LIMIT_SECONDS = 600  # ten minutes
ARTICLE = "https://news.example.cn/2026/12/02/breaking.html"
PHONE_BASE = 13900000000


def _post(base: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"content-type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _verify(stack: Any, count: int) -> list[str]:
    tokens = []
    for n in range(count):
        phone = str(PHONE_BASE + n)
        status, _ = _post(stack.base_url, "/commenters/verify", {"phone": phone})
        assert status == 202, status
        texts = [m for m in stack.outbox() if m.get("channel") == "sms" and m["to"].endswith(phone[-8:])]
        code = re.search(r"\b(\d{6})\b", texts[-1]["text"]).group(1)
        status, answer = _post(stack.base_url, "/commenters/verify/confirm", {"phone": phone, "code": code})
        assert status == 200, answer
        tokens.append(answer["commenter_token"])
    return tokens


def breaking_story() -> list[Row]:

    from tests.support.stack_process import start_stack, stop_stack

    limits = ["--param", "CommentRateLimits=off", "--param", "CommenterVerifyRateLimits=off"]
    stack = start_stack(extra_env={"LOCAL_STATE": "off"}, extra_args=limits)
    try:
        tokens = _verify(stack, COMMENTERS)
        accepted: list[str] = []
        statuses: Counter[str] = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        numbers = iter(range(STORY))

        def client() -> None:
            while True:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                body = {
                    "article_url": ARTICLE,
                    "nickname": f"读者{n % COMMENTERS}",
                    "text": f"快讯跟帖第 {n} 条：现场情况如何？",
                }
                start = time.perf_counter()
                try:
                    status, answer = _post(
                        stack.base_url, "/comments", body, {"authorization": f"Bearer {tokens[n % COMMENTERS]}"}
                    )
                except OSError as exc:
                    status, answer = 0, {"error": str(exc)}
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    statuses[f"{status} {answer.get('status', '') if isinstance(answer, dict) else ''}".strip()] += 1
                    if status == 202:
                        accepted.append(answer["id"])

        started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started

        dynamodb = stack.client("dynamodb")
        table = next(t for t in dynamodb.list_tables()["TableNames"] if "CommentsTable" in t)
        pending: Counter[str] = Counter()
        for page in dynamodb.get_paginator("scan").paginate(
            TableName=table,
            FilterExpression="sk = :c AND #s = :p",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":c": {"S": "COMMENT"}, ":p": {"S": "pending"}},
            ProjectionExpression="id",
        ):
            pending.update(item["id"]["S"] for item in page["Items"])
        lost = [cid for cid in accepted if cid not in pending]
        twice = [cid for cid, n in pending.items() if n > 1]

        token = stack.editor_token()
        path = "/editor/api/comments?" + urllib.parse.urlencode({"status": "pending"})
        page_times, counted = [], 0
        raw_times = []
        query = {
            "TableName": table,
            "IndexName": "moderation",
            "KeyConditionExpression": "queue_status = :s",
            "ExpressionAttributeValues": {":s": {"S": "pending"}},
            "Limit": 20,
        }
        for _ in range(10):
            request = urllib.request.Request(stack.base_url + path, headers={"authorization": f"Bearer {token}"})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                document = json.loads(response.read())
            page_times.append(time.perf_counter() - start)
            counted = int(document["counts"]["pending"])
            start = time.perf_counter()
            dynamodb.query(**query)
            raw_times.append(time.perf_counter() - start)
    finally:
        stop_stack(stack)

    rate = len(accepted) / took if took else 0.0
    first_max, raw_max = max(page_times), max(raw_times)
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    return [
        (
            f"breaking story: {STORY:,} comments from {COMMENTERS} readers, {CLIENTS} clients",
            f"{took:.0f} s ({rate:.0f}/s; limit {STORY_LIMIT_SECONDS} s); answers {answers}",
            "ten minutes",
        ),
        ("POST /comments p99 during the story", ms(percentile(latencies, 99)), f"p50 {ms(percentile(latencies, 50))}"),
        (
            "accepted comments lost / pending more than once",
            f"{len(lost)} / {len(twice)} (scan: {len(pending):,} pending; kept count {counted:,})",
            f"0 / 0 (accepted {len(accepted):,})",
        ),
        (
            "moderators' first page of pending, slowest of 10 (target < 1 s)",
            f"{ms(first_max)} ({ratio(first_max, raw_max)})",
            f"{ms(raw_max)} (one raw Query of `moderation`)",
        ),
    ]
