from datetime import UTC, datetime

import pytest

from corrigo.intake import new_request
from corrigo.notifications import MailContext
from corrigo.notifications import compose as compose_at
from corrigo.urgency import parse_deadlines
from web.render import render_email

CONTEXT = MailContext("Corrigo <noreply@news.example.cn>", "lxwm@news.example.cn", "https://c.example.cn", render_email)
SENT_AT = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)


def compose(request, kind, context, **extra):
    return compose_at(request, kind, context, now=SENT_AT, unique="0123456789ab", **extra)


def _request(**overrides):
    data = {
        "request_type": "correction",
        "article_title": "标题",
        "original_text": "原文" * 400,
        "requester_name": "张三",
        "requester_email": "zhang@example.com",
        "relationship": "reader",
        "declaration": True,
        **overrides,
    }
    return new_request(
        data, channel="web", now=datetime(2026, 11, 2, tzinfo=UTC), deadlines=parse_deadlines("")
    ).request


@pytest.mark.parametrize(
    ("language", "subject_part", "body_part"),
    [("zh", "我们已收到", "查询处理进度"), ("en", "We have received", "Follow its progress")],
)
def test_acknowledgement_in_the_requesters_language(language, subject_part, body_part):
    request = _request(language=language)
    message = compose(request, "acknowledgement", CONTEXT)
    assert request.reference in message["Subject"] and subject_part in message["Subject"]
    text = message.get_content()
    assert body_part in text
    assert f"https://c.example.cn/requests/{request.reference}?token={request.status_token}" in text
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Reply-To"] == "lxwm@news.example.cn"
    assert message["To"] == "zhang@example.com"


def test_the_summary_quotes_what_was_received_and_shortens_long_passages():
    text = compose(_request(), "acknowledgement", CONTEXT).get_content()
    assert "稿件标题：标题" in text
    assert "申请类型：更正" in text
    assert "…" in text and "原文" * 200 not in text


def test_line_breaks_typed_into_fields_never_reach_a_header():
    request = _request(requester_name="x\r\nBcc: victim@example.com", article_title="t\nX-Evil: 1")
    raw = compose(request, "acknowledgement", CONTEXT).as_string()
    headers = raw.split("\n\n", 1)[0]
    assert "Bcc:" not in headers and "X-Evil" not in headers


def test_times_on_pages_read_as_beijing_time_to_the_minute():
    from web.render import beijing_time

    assert beijing_time("2026-11-26T16:30:05.123Z") == "2026-11-27 00:30"
    assert beijing_time("not a time") == "not a time"


def test_the_same_inputs_make_the_same_bytes_dated_and_named_as_given():
    request = _request()
    first, second = compose(request, "acknowledgement", CONTEXT), compose(request, "acknowledgement", CONTEXT)
    assert first.as_bytes() == second.as_bytes()
    assert first["Date"] == "Mon, 02 Nov 2026 03:04:05 +0000"
    assert first["Message-ID"] == f"<{request.reference}.acknowledgement.0123456789ab@news.example.cn>"


def test_composition_is_pure_no_clock_uuid_or_files():
    import ast
    import inspect

    from corrigo import notifications

    tree = ast.parse(inspect.getsource(notifications))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"uuid", "random", "time", "web", "pathlib", "os", "jinja2"}
    called = {
        node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not called & {"now", "utcnow", "uuid4", "read_text", "open"}
