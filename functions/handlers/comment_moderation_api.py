"""The moderators' comment API under /editor/api (issue 12): the queues and their counts, claims,
approve, reject, bulk, penalties and article settings.

API Gateway's JWT authorizer (EditorsJwt) guards every route; the middleware below also requires the
`editors` group in the token's claims, and takes the actor of every audit event from them. Errors are
RFC 9457 problem+json (handlers.problems), the comments' own refusals mapped in ``moderation_problem``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.logging import correlation_paths

from adapters.comment_queue import CommentQueue
from adapters.comments_table import CommentsTable
from adapters.outbox_table import OutboxTable
from corrigo.comments.config import moderation_settings_from
from corrigo.comments.keys import is_site_article
from corrigo.comments.moderation import ClaimedByOther
from corrigo.review import Editor
from handlers import comment_moderation_body as bodies
from handlers.comments_http import comment_problem
from handlers.editor_request import editor_from_claims
from handlers.http import SECURITY_HEADERS, check_body_size, json_response, preferred_language, problem_response
from handlers.problems import Problem, RouteNotFound, problem_for
from observability import logger, metrics
from services.comment_moderation import CommentModeration

SETTINGS = moderation_settings_from(os.environ)  # checked at cold start: a malformed setting fails before any traffic
MAX_BODY_BYTES = 64 * 1024
API_PREFIX = "/editor/api/"
SCRIPT = Path(__file__).resolve().parent.parent / "web" / "editor" / "comments.js"
app = APIGatewayHttpResolver()

CLAIMED = {"zh": "另一位审核员正在处理这条评论", "en": "Another moderator is reviewing this comment"}


@cache
def moderation() -> CommentModeration:
    table = CommentsTable(SETTINGS.table_name, SETTINGS.audit_days)
    queue = CommentQueue(SETTINGS.table_name, SETTINGS.audit_days, table.db.client)
    return CommentModeration(SETTINGS, table, queue, OutboxTable(SETTINGS.outbox_table_name))


def moderation_problem(exc: Exception) -> Problem:
    if isinstance(exc, ClaimedByOther):
        return Problem(409, "comment-claimed", CLAIMED, extra={"holder": exc.holder})
    return comment_problem(exc)


@app.exception_handler(Exception)
def any_error(exc: Exception) -> Response[str]:
    found = moderation_problem(exc)
    if found.status >= 500:
        logger.exception("moderation request failed", extra={"error": type(exc).__name__})
    return problem_response(found, preferred_language(app.current_event))


@app.not_found
def no_route(exc: Exception) -> Response[str]:
    return problem_response(problem_for(RouteNotFound(str(exc))), preferred_language(app.current_event))


def require_editor(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Every API route: the verified claims must name a member of `editors` (403 otherwise); no body
    over MAX_BODY_BYTES is read (413). The page's script is public, as the page is."""
    check_body_size(app.current_event, MAX_BODY_BYTES)
    if not app.current_event.path.startswith(API_PREFIX):
        return next_middleware(app)
    authorizer = app.current_event.request_context.authorizer
    found = editor_from_claims(authorizer.jwt_claim if authorizer is not None else None)
    app.append_context(editor=found)  # type: ignore[no-untyped-call]
    logger.append_keys(editor=found.id)
    return next_middleware(app)


app.use(middlewares=[require_editor])


def editor() -> Editor:
    found = app.context.get("editor")
    assert isinstance(found, Editor)  # set by require_editor
    return found


def query(name: str) -> str | None:
    value = (app.current_event.query_string_parameters or {}).get(name)
    return value.strip() if value and value.strip() else None


def body() -> str | None:
    return app.current_event.decoded_body


def decided(comment: Any) -> Response[str]:
    return json_response(200, {"id": comment.id, "status": comment.status.value, "version": comment.version})


# ---- routes --------------------------------------------------------------------------------------


@app.get("/editor/comments.js")
def script() -> Response[str]:
    """The Comments view of the editors' page (loaded by its index.html, under the page's CSP)."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(200, "text/javascript; charset=utf-8", SCRIPT.read_text("utf-8"), headers=headers)


@app.get("/editor/api/comments")
def list_comments() -> Response[str]:
    """?status=pending|reported|approved|rejected|appealed [&article_url=] [&commenter=] [&cursor=]"""
    page = moderation().list(query("status") or "pending", query("article_url"), query("commenter"), query("cursor"))
    return json_response(200, page, {"Cache-Control": "no-store"})


@app.get("/editor/api/comments/<comment_id>")
def comment_detail(comment_id: str) -> Response[str]:
    return json_response(200, moderation().detail(comment_id), {"Cache-Control": "no-store"})


@app.post("/editor/api/comments/bulk")
def bulk() -> Response[str]:
    order = bodies.bulk(body())
    results = moderation().bulk(order.ids, order.action.value, editor(), order.reason)
    return json_response(200, {"results": results})


@app.post("/editor/api/comments/<comment_id>/claim")
def claim(comment_id: str) -> Response[str]:
    return json_response(200, moderation().claim(comment_id, editor()))


@app.post("/editor/api/comments/<comment_id>/release")
def release(comment_id: str) -> Response[str]:
    return json_response(200, moderation().release(comment_id, editor()))


@app.post("/editor/api/comments/<comment_id>/approve")
def approve(comment_id: str) -> Response[str]:
    return decided(moderation().approve(comment_id, editor(), bodies.approval_note(body())))


@app.post("/editor/api/comments/<comment_id>/reject")
def reject(comment_id: str) -> Response[str]:
    order = bodies.rejection(body())
    return decided(moderation().reject(comment_id, editor(), order.reason, order.note))


@app.post("/editor/api/commenters/<commenter>/penalty")
def penalty(commenter: str) -> Response[str]:
    order = bodies.penalty_order(body())
    return json_response(200, moderation().penalize(commenter, order.level, order.days, order.reason, editor()))


@app.put("/editor/api/comment-settings")
def comment_settings() -> Response[str]:
    order = bodies.settings_order(body(), lambda url: is_site_article(url, SETTINGS.site_domains))
    answer = moderation().article_settings(order.article_url, order.open, order.close_after_days, editor())
    return json_response(200, answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
