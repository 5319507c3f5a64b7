"""The readers' comments over HTTP (issue 12): phone verification, POST /comments, the public list
and its embed script, the no-JS page, the author's view, appeals and reports.

Errors become answers in one place (``register_comment_errors``): RFC 9457 problem+json with an
``errors`` list naming each field, or a page for a browser's form post.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from adapters.comments_table import CommentsTable
from adapters.outbox_table import OutboxTable
from adapters.sms import Sms
from corrigo import screening
from corrigo.comments.config import settings_from
from corrigo.comments.errors import ActionNotAllowed, CommenterRestricted, CommentsClosed, NotVerified
from corrigo.comments.identity import Keys
from corrigo.comments.keys import is_site_article
from corrigo.errors import InvalidRequest, NotFound, ServiceUnavailable
from corrigo.schema import pick_language
from handlers.comments_http import (
    answers_page,
    comment_problem,
    commenter_cookie,
    commenter_token,
    query,
    see_other,
    source_ip,
    status_url,
    with_cors,
)
from handlers.http import (
    JSON_TYPE,
    SECURITY_HEADERS,
    html_response,
    json_response,
    preferred_language,
    problem_response,
    read_submission,
    register_error_handlers,
    wants_html,
)
from observability import logger, metrics
from services.commenters import CommenterService
from services.comments import CommentService
from web.comments import pages
from web.comments.pages import HERE as ASSETS
from web.comments.pages import TEXT
from web.render import beijing_time

SETTINGS = settings_from(os.environ)  # checked at cold start: a malformed setting fails before any traffic
# Screening's thresholds and folded word lists, as the intake worker's: a bad value fails INIT, naming it.
SCREENING = screening.config_from(os.environ)
LIST_MAX_AGE = 30  # seconds a page of the public list may be cached: new approvals show within that
app = APIGatewayHttpResolver()


if SETTINGS.keys is None:
    logger.error("COMMENTER_HASH_KEY is not set: every comment route answers 503 (docs/comments.md)")


def keys() -> Keys:
    """The commenter keys; without them comments fail closed (503), never with a guessable key."""
    if SETTINGS.keys is None:
        raise ServiceUnavailable("comments are off: COMMENTER_HASH_KEY is not set", retry_after_seconds=3600)
    return SETTINGS.keys


@cache
def table() -> CommentsTable:
    return CommentsTable(SETTINGS.table_name, SETTINGS.audit_days)


@cache
def comments() -> CommentService:
    outbox_table = OutboxTable(SETTINGS.outbox_table_name)
    return CommentService(SETTINGS, keys(), table(), outbox_table, SCREENING)


@cache
def commenters() -> CommenterService:
    return CommenterService(SETTINGS, keys(), table(), Sms())


# ---- errors: one place ---------------------------------------------------------------------------


def site_article(url: str | None) -> str:
    """``url`` if it is an article address on the site (safe to link back to), else empty."""
    return url if url and is_site_article(url, SETTINGS.site_domains) else ""


def answer_problem(exc: Exception) -> Response:
    """One answer per refusal: a page for a browser (its form post, or a page it asked for), else
    problem+json."""
    event = app.current_event
    found = comment_problem(exc)
    language = preferred_language(event)
    if isinstance(exc, InvalidRequest) and answers_page(event):
        return html_response(400, render_invalid_form(exc))
    browser = answers_page(event) or (wants_html(event) and event.request_context.http.method == "GET")
    if browser and found.status < 500 and not isinstance(exc, InvalidRequest):
        title = found.title[language]
        page = pages.message_page(language, title=TEXT[language]["error_title"], lines=[title])
        return html_response(found.status, page, found.headers)
    return problem_response(found, exc.language if isinstance(exc, InvalidRequest) else language)


def render_invalid_form(exc: InvalidRequest) -> str:
    event = app.current_event
    path = event.path
    language = exc.language
    back = site_article(query(event).get("return") or str(exc.data.get("article_url", "")))
    if path == "/commenters/verify/confirm":
        return pages.code_page(language, phone=str(exc.data.get("phone", "")), return_url=back, errors=exc.errors)
    if back:
        verified = comments_verified(event)
        return pages.article_page(
            [], language, article_url=back, next_cursor=None, verified=verified, errors=exc.errors, values=exc.data
        )
    title = TEXT[language]["error_title"]
    return pages.message_page(language, title=title, lines=[e.message for e in exc.errors])


def comments_verified(event: Any) -> bool:
    try:
        comments().commenter_of(commenter_token(event))
    except NotVerified:
        return False
    return True


def register_comment_errors() -> None:
    # Every error, the shared ones (413, 415, 429 with Retry-After, 503 …) as for requests.
    register_error_handlers(app, render_invalid_form)
    for kind in (InvalidRequest, NotVerified, CommentsClosed, CommenterRestricted, ActionNotAllowed, NotFound):
        app.exception_handler(kind)(answer_problem)


register_comment_errors()


# ---- commenters ----------------------------------------------------------------------------------


@app.post("/commenters/verify")
def verify() -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    commenters().request_code(raw, source_ip(event), language)
    metrics.add_metric(name="CommenterCodesSent", unit=MetricUnit.Count, value=1)
    if answers_page(event):
        phone = str(raw.get("phone", "")).strip() if isinstance(raw, dict) else ""
        back = site_article(query(event).get("return"))
        return html_response(
            200, pages.code_page(language, phone=phone, return_url=back), {"Cache-Control": "no-store"}
        )
    return json_response(202, {"status": "sent", "expires_in": 600}, {"Cache-Control": "no-store"})


@app.post("/commenters/verify/confirm")
def confirm() -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    verified = commenters().confirm(raw, language)
    cookie = commenter_cookie(verified.token, verified.expires_in_seconds, secure=SETTINGS.secure_cookie)
    if answers_page(event):
        back = site_article(query(event).get("return"))
        if back:
            return see_other(
                f"/articles/comments?url={quote(back, safe='')}&lang={language}&verified=1#write", [cookie]
            )
        page = pages.message_page(language, title=TEXT[language]["verified"], lines=[])
        return Response(200, "text/html; charset=utf-8", page, headers=dict(SECURITY_HEADERS), cookies=[cookie])
    body = {"commenter_token": verified.token, "expires_in": verified.expires_in_seconds}
    return Response(
        200,
        JSON_TYPE + "; charset=utf-8",
        json.dumps(body),
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
        cookies=[cookie],
    )


# ---- comments ------------------------------------------------------------------------------------


@app.post("/comments")
def submit() -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    accepted = comments().submit(raw, commenter_token(event), source_ip(event), language)
    comment = accepted.comment
    metrics.add_metric(name="CommentsAccepted", unit=MetricUnit.Count, value=1)
    link = status_url(comment.id, accepted.status_token)
    if answers_page(event):
        return see_other(f"{link}&lang={comment.language}")
    body: dict[str, Any] = {"id": comment.id, "status": comment.status.value, "status_url": link}
    if comment.quiet_until:
        body["notice"] = TEXT[comment.language]["quiet"].format(until=beijing_time(comment.quiet_until))
    return json_response(202, body, {"Location": link, "Cache-Control": "no-store"})


@app.get("/comments")
def public_list() -> Response:
    event = app.current_event
    params = query(event)
    language = preferred_language(event)
    article_url = params.get("article_url")
    page = comments().public_page(article_url, params.get("cursor"), language)
    if wants_html(event):
        body = pages.fragment(page.items, language, article_url=str(article_url), next_cursor=page.next_cursor)
        kind = "text/html; charset=utf-8"
    else:
        body = json.dumps({"items": page.items, "next_cursor": page.next_cursor}, ensure_ascii=False)
        kind = JSON_TYPE + "; charset=utf-8"
    tag = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": f"public, max-age={LIST_MAX_AGE}",
        "ETag": tag,
        "Vary": "Accept, Accept-Language",
    }
    if tag in [t.strip() for t in str(event.headers.get("if-none-match", "")).split(",")]:
        return Response(304, kind, "", headers=headers)
    return Response(200, kind, body, headers=headers)


@cache
def embed_source() -> str:
    """embed.js with the schemas' labels in it ("</" escaped: the data never ends a script element)."""
    fields = json.dumps(pages.embed_fields(), ensure_ascii=False).replace("</", "<\\/")
    return (ASSETS / "embed.js").read_text("utf-8").replace("__CORRIGO_FIELDS__", fields)


@app.get("/comments/embed.js")
def embed_script() -> Response:
    script = embed_source()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
    return Response(200, "application/javascript; charset=utf-8", script, headers=headers)


@app.get("/articles/comments")
def article_comments() -> Response:
    """The no-JS page: the list, and the form (or the phone verification before it)."""
    event = app.current_event
    params = query(event)
    language = preferred_language(event)
    article_url = params.get("url")
    page = comments().public_page(article_url, params.get("cursor"), language)
    html = pages.article_page(
        page.items,
        language,
        article_url=str(article_url),
        next_cursor=page.next_cursor,
        verified=comments_verified(event),
        values={"reply_to": params.get("reply_to", "")},
        notice=TEXT[language]["verified"] if params.get("verified") else "",
    )
    return html_response(200, html, {"Cache-Control": "private, no-store"})


@app.get("/comments/<comment_id>")
def author_view(comment_id: str) -> Response:
    event = app.current_event
    params = query(event)
    comment = comments().author_view(comment_id, params.get("token"))
    language = pick_language(params["lang"]) if params.get("lang") else comment.language
    no_store = {"Cache-Control": "no-store"}
    if wants_html(event):
        return html_response(200, pages.author_page(comment, language, token=str(params.get("token"))), no_store)
    return json_response(200, pages.author_document(comment, language), no_store)


@app.post("/comments/<comment_id>/appeal")
def appeal(comment_id: str) -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    token = query(event).get("token") or (str(raw.get("token", "")) if isinstance(raw, dict) else "")
    comment = comments().appeal(comment_id, token, raw, language)
    link = status_url(comment.id, token)
    if answers_page(event):
        return see_other(f"{link}&lang={language}")
    return json_response(202, {"id": comment.id, "status": comment.status.value, "status_url": link})


@app.post("/comments/<comment_id>/report")
def report(comment_id: str) -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    comments().report(comment_id, raw, commenter_token(event), source_ip(event), language)
    if answers_page(event):
        page = pages.message_page(language, title=TEXT[language]["report"], lines=[TEXT[language]["reported"]])
        return html_response(202, page, {"Cache-Control": "no-store"})
    return json_response(202, {"status": "received"}, {"Cache-Control": "no-store"})


# ---- the entry point -----------------------------------------------------------------------------


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return with_cors(event, app.resolve(event, context), SETTINGS.site_domains)
