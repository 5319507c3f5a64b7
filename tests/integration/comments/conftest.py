"""Comments on in-process moto built from template.yaml: the CommentsFunction called as API Gateway would."""

from __future__ import annotations

import contextlib
import json
import re
from urllib.parse import urlencode

import pytest

from tests.support.events import http_event
from tests.support.logs import service_logs  # noqa: F401 (a fixture, for the tests here)

ARTICLE = "https://news.example.cn/2026/12/01/budget.html"
PHONE = "13812345678"
_ROUTES = (
    (re.compile(r"^/comments/embed\.js$"), "/comments/embed.js"),
    (re.compile(r"^/comments/(?P<id>[^/]+)/appeal$"), "/comments/{id}/appeal"),
    (re.compile(r"^/comments/(?P<id>[^/]+)/report$"), "/comments/{id}/report"),
    (re.compile(r"^/comments/(?P<id>[^/]+)$"), "/comments/{id}"),
)


@pytest.fixture
def api(aws):
    """``api(method, path, json=…, form=…, headers=…, query=…, cookie=…, ip=…)`` → the function's answer."""
    from handlers import comments_api

    def call(method, path, *, json_body=None, form=None, headers=None, query=None, cookie=None, ip=None):
        route, params = path, None
        for pattern, template in _ROUTES:
            match = pattern.match(path)
            if match:
                route, params = template, match.groupdict() or None
                break
        all_headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False)
            all_headers.setdefault("content-type", "application/json")
        elif form is not None:
            body = urlencode(form)
            all_headers.setdefault("content-type", "application/x-www-form-urlencoded")
        event = http_event(
            method, path, route=route, body=body, headers=all_headers, query=query, path_parameters=params
        )
        if cookie:
            event["cookies"] = [cookie]
        if ip:
            event["requestContext"]["http"]["sourceIp"] = ip
        return comments_api.handler(event, aws.context("CommentsFunction"))

    return call


@pytest.fixture
def outbox(aws):
    """The local stack's outbox over this in-process moto: emails and text messages, oldest first."""
    from infra.local.outbox import Outbox

    box = Outbox(contextlib.nullcontext)
    return box.emails


def body_of(response) -> dict:
    return json.loads(response["body"])


def code_for(outbox, phone: str) -> str:
    texts = [m for m in outbox() if m["channel"] == "sms" and m["to"].endswith(phone[-10:])]
    assert texts, "no text message was sent"
    return re.search(r"\b(\d{6})\b", texts[-1]["text"]).group(1)


@pytest.fixture
def verified(api, outbox):
    """A verified commenter: ``verified(phone)`` → the token (by SMS code from the outbox)."""

    def verify(phone: str = PHONE, ip: str = "198.51.100.1") -> str:
        sent = api("POST", "/commenters/verify", json_body={"phone": phone}, ip=ip)
        assert sent["statusCode"] == 202, sent["body"]
        confirmed = api(
            "POST", "/commenters/verify/confirm", json_body={"phone": phone, "code": code_for(outbox, phone)}
        )
        assert confirmed["statusCode"] == 200, confirmed["body"]
        return body_of(confirmed)["commenter_token"]

    return verify


@pytest.fixture
def post_comment(api):
    def post(token, text="写得很好，数据清楚。", nickname="读者小王", article=ARTICLE, **extra):
        document = {"article_url": article, "nickname": nickname, "text": text, **extra}
        return api("POST", "/comments", json_body=document, headers={"authorization": f"Bearer {token}"})

    return post


@pytest.fixture
def service(api):
    """The comments service the function uses (moderators' approve/reject come from it)."""
    from handlers import comments_api

    return comments_api.comments()
