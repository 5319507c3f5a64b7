"""Reader comments (issue 12), each figure beside a baseline measured in the same run:

1. ``POST /comments`` through the real handler on in-process moto, warm, beside a minimal handler
   making the same AWS calls with plain boto3 (one BatchGetItem, one TransactWriteItems of as many
   items). Calls alternate, so both see the same table. Target: p99 ≤ 1.5× the floor.
2. ``GET /comments`` for one page of an article holding BENCH_COMMENTS_ARTICLE (100,000) approved
   comments, loaded straight into moto's table, beside one raw Query of the ``public`` index it uses.
   Target: p99 ≤ 1.2×.
3. (bench/comment_story.py) A breaking story on the local stack (``python -m infra.local``, as ``make run`` starts it, comment
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
import time
import uuid

from bench.comment_story import breaking_story
from bench.report import Row, ms, percentile, ratio

INVOCATIONS = int(os.environ.get("BENCH_COMMENTS_INVOCATIONS", "1000"))
ARTICLE_COMMENTS = int(os.environ.get("BENCH_COMMENTS_ARTICLE", "100000"))
# moto answers a Query of a global index by reading the whole table and sorting what matches: at
# 100,000 comments a call takes seconds (for ours and for the raw Query alike), so fewer calls.
LIST_CALLS = int(os.environ.get("BENCH_COMMENTS_LIST_CALLS", "40"))
ARTICLE = "https://news.example.cn/2026/12/02/breaking.html"


def run() -> list[Row]:
    # The handlers' metrics (EMF lines on stdout, as Lambda reads them) would bury the table.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        rows = _warm_submit_and_list()
    rows.extend(breaking_story())
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
