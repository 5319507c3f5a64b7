"""Issue 5, security: size caps on every channel, and markup inert wherever a requester's text is shown."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.integration.editor.test_editor_api import concrete, editor_routes

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_MARKUP = re.compile(r"<script>alert|<img src=x onerror", re.IGNORECASE)
OVER_64_KIB = 64 * 1024 + 1


# ---- size caps ----------------------------------------------------------------------------------


def test_the_answer_form_post_is_capped(gateway, queued, aws):
    from adapters.requests_table import RequestsTable

    reference = queued()
    token = RequestsTable(aws.ref("RequestsTable")).get(reference).status_token
    form = urlencode({"text": "x" * OVER_64_KIB}).encode()
    status, _, body = gateway(
        "POST",
        f"/requests/{reference}/answer",
        query={"token": token},
        body=form,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert status == 413, body
    status, _, _ = gateway(
        "POST", f"/requests/{reference}/answer", query={"token": token}, body={"text": "x" * OVER_64_KIB}
    )
    assert status == 413


def test_the_public_api_is_capped(gateway, valid_request):
    status, _, _ = gateway("POST", "/requests", body={**valid_request, "reason": "x" * OVER_64_KIB})
    assert status == 413


def test_every_editor_api_body_is_capped(routes, gateway, tokens, queued):
    reference = queued()
    posts = [path for method, path in editor_routes(routes) if method == "POST"]
    assert len(posts) >= 9
    for path in posts:
        status, _, body = gateway(
            "POST", concrete(path, reference), token=tokens(), body={"text": "x" * OVER_64_KIB, "reason": "x"}
        )
        assert status == 413, (path, status, body)
    # Nothing was done: the request is still queued and unheld.
    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]
    assert case["status"] == "queued" and case["assignee"] is None and case["notes"] == []


def test_a_base64_body_is_capped_before_it_is_decoded():
    import base64

    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    from handlers.http import PayloadTooLarge, check_body_size

    big = base64.b64encode(b"x" * OVER_64_KIB).decode()
    event = APIGatewayProxyEventV2({"body": big, "isBase64Encoded": True, "headers": {}})
    with pytest.raises(PayloadTooLarge):
        check_body_size(event)
    small = APIGatewayProxyEventV2(
        {"body": base64.b64encode(b"x" * 1000).decode(), "isBase64Encoded": True, "headers": {}}
    )
    assert check_body_size(small) == b"x" * 1000


def test_the_mail_path_reads_at_most_the_cap(aws, monkeypatch):
    """SES accepts at most 40 MB (the local SMTP server's data_size_limit is the same); the function
    reads at most MAX_RAW_BYTES of a stored message whatever lands in the bucket."""
    from adapters import raw_mail
    from infra.local.smtp import SES_MAX_MESSAGE_BYTES

    assert raw_mail.MAX_RAW_BYTES == SES_MAX_MESSAGE_BYTES
    bucket = aws.ref("MailBucket") if "MailBucket" in aws.resources else None
    if bucket is None:
        bucket = next(p.ref for k, p in aws.resources.items() if "Mail" in k and "Bucket" in k)
    aws.clients("s3").put_object(Bucket=bucket, Key="inbound/huge", Body=b"A" * 5000)
    monkeypatch.setattr(raw_mail, "MAX_RAW_BYTES", 1024)
    assert len(raw_mail.RawMailStore(bucket).get("inbound/huge")) == 1024


# ---- markup inert ---------------------------------------------------------------------------------

TEXT_FIELDS = (
    "article_title",
    "article_url",
    "original_text",
    "requested_change",
    "reason",
    "requester_name",
    "requester_organization",
    "requester_phone",
    "requester_email",
)


def test_markup_in_every_field_is_escaped_on_the_form_re_render(gateway, valid_request):
    document = {**valid_request, **{name: XSS for name in TEXT_FIELDS}, "declaration": "true"}
    status, headers, page = gateway(
        "POST",
        "/requests",
        body=urlencode(document).encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert status == 400 and headers["content-type"].startswith("text/html")
    assert not RAW_MARKUP.search(page)
    assert page.count("&lt;script&gt;") >= 5  # echoed back, as text


def test_markup_is_inert_on_the_status_page_its_answer_form_and_the_public_note(gateway, tokens, queued, aws):
    from adapters.requests_table import RequestsTable

    table = RequestsTable(aws.ref("RequestsTable"))
    reference = queued(
        article_title=XSS[:150], original_text=XSS, requested_change=XSS, reason=XSS, requester_name=XSS[:90]
    )
    token = table.get(reference).status_token
    gateway("POST", f"/editor/api/requests/{reference}/claim", token=tokens())
    gateway("POST", f"/editor/api/requests/{reference}/ask", token=tokens(), body={"message": XSS})

    def page() -> str:
        return gateway("GET", f"/requests/{reference}", query={"token": token}, headers={"accept": "text/html"})[2]

    asked = page()
    assert "<form" in asked and "/answer" in asked  # the answer form is on the page
    assert not RAW_MARKUP.search(asked) and "&lt;script&gt;" in asked
    status, _, _ = gateway("POST", f"/requests/{reference}/answer", query={"token": token}, body={"text": XSS})
    assert status == 200
    body = {"outcome": "corrected", "reply": XSS, "public_note": XSS}
    assert gateway("POST", f"/editor/api/requests/{reference}/resolve", token=tokens(), body=body)[0] == 200
    resolved = page()
    assert not RAW_MARKUP.search(resolved)
    assert resolved.count("&lt;script&gt;") >= 1  # the public note, as text
    document = gateway("GET", f"/requests/{reference}", query={"token": token})
    assert document[1]["content-type"].startswith("application/json")


def test_markup_is_data_in_the_editors_api_and_the_page_only_sets_text(gateway, tokens, queued):
    reference = queued(article_title=XSS[:150], original_text=XSS, requested_change=XSS, reason=XSS)
    gateway("POST", f"/editor/api/requests/{reference}/notes", token=tokens(), body={"text": XSS})
    for path in (f"/editor/api/requests/{reference}", "/editor/api/requests"):
        status, headers, _ = gateway("GET", path, token=tokens())
        assert status == 200 and headers["content-type"].startswith("application/json")
        assert headers["x-content-type-options"] == "nosniff"
    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]
    assert case["fields"]["reason"] == XSS and case["notes"][0]["text"] == XSS
    script = gateway("GET", "/editor/editor.js")[2]
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, sink
