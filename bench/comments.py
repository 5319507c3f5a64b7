"""Reader comments (issue 12), each figure beside a baseline measured in the same run:

1. ``POST /comments`` through the real handler on in-process moto, warm, beside a minimal handler
   making the same AWS calls with plain boto3 (one BatchGetItem, one TransactWriteItems of as many
   items). Calls alternate, so both see the same table. Target: p99 ≤ 1.5× the floor.
2. ``GET /comments`` for one page of an article holding BENCH_COMMENTS_ARTICLE (100,000) approved
   comments, loaded straight into moto's table, beside one raw Query of the ``public`` index it uses.
   Target: p99 ≤ 1.2×.
3. A breaking story on the local stack (``python -m infra.local``, as ``make run`` starts it, comment
   rate limits off): BENCH_COMMENTS_STORY (10,000) comments from BENCH_COMMENTS_COMMENTERS verified
   readers over 8 clients, as fast as the stack answers. Then: none lost (every 202's id is in the
   table), each pending exactly once (a scan, and the kept counts), and the moderators' first page of
   the pending queue through the API, beside one raw Query of the ``moderation`` index.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from typing import Any

from bench.report import Row, ms, percentile, ratio

INVOCATIONS = int(os.environ.get("BENCH_COMMENTS_INVOCATIONS", "1000"))
ARTICLE_COMMENTS = int(os.environ.get("BENCH_COMMENTS_ARTICLE", "100000"))
# moto answers a Query of a global index by reading the whole table and sorting what matches: at
# 100,000 comments a call takes seconds (for ours and for the raw Query alike), so fewer calls.
LIST_CALLS = int(os.environ.get("BENCH_COMMENTS_LIST_CALLS", "40"))
STORY = int(os.environ.get("BENCH_COMMENTS_STORY", "10000"))
COMMENTERS = int(os.environ.get("BENCH_COMMENTS_COMMENTERS", "40"))
CLIENTS = 8
STORY_LIMIT_SECONDS = 600  # ten minutes
ARTICLE = "https://news.example.cn/2026/12/02/breaking.html"
PHONE_BASE = 13900000000


def run() -> list[Row]:
    # The handlers' metrics (EMF lines on stdout, as Lambda reads them) would bury the table.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        rows = _warm_submit_and_list()
    rows.extend(_breaking_story())
    return rows


# ---- 1 and 2: in-process moto ---------------------------------------------------------------------


def _warm_submit_and_list() -> list[Row]:
    from bench.moto_stack import template_stack

    with template_stack() as stack:
        from dataclasses import replace

        from corrigo.comments import identity
        from corrigo.comments.keys import article_key, public_pk
        from corrigo.ratelimit import parse_limits
        from handlers import comments_api
        from services.comments import CommentService
        from tests.support.events import http_event

        settings = replace(
            comments_api.SETTINGS,
            comment_limits=parse_limits(
                "commenter=100000000/3600,comment_ip=100000000/3600", ("commenter", "comment_ip")
            ),
        )
        keys = settings.keys
        assert keys is not None
        service = CommentService(
            settings, keys, comments_api.table(), comments_api.comments().outbox, comments_api.comments().screening
        )
        comments_api.comments = lambda: service  # type: ignore[assignment]
        context = stack.context("CommentsFunction")
        dynamodb = stack.clients("dynamodb")
        table = stack.ref("CommentsTable")

        hashed = identity.phone_hash(keys, "+8613900000000")
        commenter = identity.commenter_id(hashed)
        dynamodb.put_item(
            TableName=table,
            Item={"pk": {"S": f"COMMENTER#{commenter}"}, "sk": {"S": "PROFILE"}, "id": {"S": commenter}},
        )
        token = identity.issue_token(keys, commenter, time.time())
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

        def ours(number: int) -> None:
            body = json.dumps({"article_url": ARTICLE, "nickname": "读者", "text": f"第 {number} 条评论，数据清楚。"})
            answer = comments_api.handler(http_event("POST", "/comments", body=body, headers=headers), context)
            assert answer["statusCode"] == 202, answer

        def minimal(number: int) -> None:
            # The floor: read the commenter and the article's settings, write the comment, its event,
            # a counter and two rate-limit counters in one transaction.
            keys_read = [
                {"pk": {"S": f"COMMENTER#{commenter}"}, "sk": {"S": "PROFILE"}},
                {"pk": {"S": f"ARTICLE#{article_key(ARTICLE)}"}, "sk": {"S": "SETTINGS"}},
            ]
            dynamodb.batch_get_item(RequestItems={table: {"Keys": keys_read, "ConsistentRead": True}})
            cid = uuid.uuid4().hex[:13]
            text = f"第 {number} 条评论，数据清楚。"
            item = {
                "pk": {"S": f"COMMENT#{cid}"},
                "sk": {"S": "COMMENT"},
                "text": {"S": text},
                "status": {"S": "pending"},
            }
            event = {"pk": {"S": f"COMMENT#{cid}"}, "sk": {"S": "EVENT#x"}}
            count = {"pk": {"S": "COUNTS#0"}, "sk": {"S": "COUNTS"}}
            limit = {"pk": {"S": f"RL#{cid}"}, "sk": {"S": "x"}}
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Put": {"TableName": table, "Item": event}},
                    {
                        "Update": {
                            "TableName": table,
                            "Key": count,
                            "UpdateExpression": "ADD pending :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                    {
                        "Update": {
                            "TableName": stack.ref("RateLimitTable"),
                            "Key": limit,
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                    {
                        "Update": {
                            "TableName": stack.ref("RateLimitTable"),
                            "Key": {**limit, "sk": {"S": "y"}},
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )

        calls: list[str] = []
        from adapters.aws import client

        client("dynamodb").meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
        for n in range(20):
            ours(n)
            minimal(n)
        calls.clear()
        ours(0)
        submit_calls = list(calls)

        ours_times, floor_times = [], []
        gc.disable()
        for i in range(INVOCATIONS):
            if i % 10 == 0:
                gc.collect()
            start = time.perf_counter()
            ours(i)
            ours_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            minimal(i)
            floor_times.append(time.perf_counter() - start)
        gc.enable()

        # ---- 2: one article with ARTICLE_COMMENTS approved comments, straight into moto's table ----
        big = "https://news.example.cn/2026/12/02/popular.html"
        _load_approved(table, big, ARTICLE_COMMENTS)
        query = {
            "TableName": table,
            "IndexName": "public",
            "KeyConditionExpression": "public_pk = :a",
            "ExpressionAttributeValues": {":a": {"S": public_pk(article_key(big))}},
            "ScanIndexForward": False,
            "Limit": 20,
        }

        def list_ours() -> None:
            answer = comments_api.handler(
                http_event("GET", "/comments", query={"article_url": big}, headers={"accept": "application/json"}),
                context,
            )
            assert answer["statusCode"] == 200 and len(json.loads(answer["body"])["items"]) == 20, answer

        def list_raw() -> None:
            assert len(dynamodb.query(**query)["Items"]) == 20

        for _ in range(5):
            list_ours()
            list_raw()
        list_times, raw_times = [], []
        for _ in range(LIST_CALLS):
            start = time.perf_counter()
            list_ours()
            list_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            list_raw()
            raw_times.append(time.perf_counter() - start)

    p50, p99 = percentile(ours_times, 50), percentile(ours_times, 99)
    f50, f99 = percentile(floor_times, 50), percentile(floor_times, 99)
    l99, r99 = percentile(list_times, 99), percentile(raw_times, 99)
    return [
        (f"POST /comments p50 ({INVOCATIONS} warm calls)", f"{ms(p50)} ({ratio(p50, f50)})", ms(f50)),
        ("POST /comments p99 (target ≤ 1.5×)", f"{ms(p99)} ({ratio(p99, f99)})", ms(f99)),
        ("AWS calls before the 202", f"{len(submit_calls)}: {', '.join(submit_calls)}", "at most 3"),
        (
            f"GET /comments p99, one page of {ARTICLE_COMMENTS:,} approved (target ≤ 1.2×)",
            f"{ms(l99)} ({ratio(l99, r99)})",
            f"{ms(r99)} (one raw Query of `public`)",
        ),
        (
            "GET /comments p50",
            f"{ms(percentile(list_times, 50))} ({ratio(percentile(list_times, 50), percentile(raw_times, 50))})",
            ms(percentile(raw_times, 50)),
        ),
    ]


def _load_approved(table_name: str, article: str, count: int) -> None:
    """``count`` approved comments on ``article``, put into moto's table object directly (as the
    adapter would write them: comment_item), which is much faster than 4,000 BatchWriteItem calls."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from adapters.comments_table import comment_item
    from corrigo.comments.keys import article_key
    from corrigo.comments.model import Comment, CommentStatus

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    table = backend.get_table(table_name)
    key = article_key(article)
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    for n in range(count):
        stamp = f"2026-12-02T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z"
        comment = Comment(
            id=f"C{n:012d}",
            article_url=article,
            article_key=key,
            commenter=f"m{n % 500}",
            nickname="读者",
            text=f"第 {n} 条评论。",
            status=CommentStatus.APPROVED,
            created_at=stamp,
            updated_at=stamp,
            language="zh",
            status_token_hash="h",
        )
        table.put_item({k: serialize(v) for k, v in comment_item(comment).items()})


# ---- 3: the breaking story, on the local stack ------------------------------------------------------


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


def _editor_token(stack: Any) -> str:
    import boto3

    from infra.local.extensions import DEFAULT_EDITOR_PASSWORD

    found = re.search(r"editor=(\S+) / (\S+)", stack.ready_line)
    email, password = (found.group(1), found.group(2)) if found else ("editor@news.example.cn", DEFAULT_EDITOR_PASSWORD)
    config = stack.get_json("/editor/config.json")
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    answer = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=config["clientId"],
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def _breaking_story() -> list[Row]:
    import boto3

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

        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=stack.aws_url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
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

        token = _editor_token(stack)
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
