"""What the HTTP functions share: reading submissions, choosing a language, and mapping errors to answers.

Every domain error becomes an HTTP answer here, in one place; nothing else turns exceptions into responses.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError

from adapters.requests_table import StoreError
from corrigo.errors import (
    ConcurrentChange,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServiceUnavailable,
)
from corrigo.schema import pick_language
from observability import logger

MAX_BODY_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Status links carry their token in the query string: never leak it to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
}


class PayloadTooLarge(Exception):
    pass


class UnsupportedMediaType(Exception):
    pass


def content_type(event: Any) -> str:
    return str(event.headers.get("content-type", "")).split(";")[0].strip().lower()


def is_form_post(event: Any) -> bool:
    return content_type(event) == FORM_TYPE


def wants_html(event: Any) -> bool:
    """A browser asks for HTML first; an API client asks for JSON or for nothing in particular."""
    accept = str(event.headers.get("accept", "")).lower()
    html, json_ = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json_ < 0 or html < json_)


def preferred_language(event: Any, body: Any = None) -> str:
    """The body's `language`, else `?lang=`, else Accept-Language; Chinese by default."""
    if isinstance(body, dict) and body.get("language") in ("zh", "en"):
        return str(body["language"])
    query = event.query_string_parameters or {}
    if query.get("lang"):
        return pick_language(query["lang"])
    return pick_language(event.headers.get("accept-language", "zh"))


def body_bytes(event: Any) -> bytes:
    raw = event.body or ""
    if event.is_base64_encoded:
        import base64

        return base64.b64decode(raw)
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)


def check_body_size(event: Any, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or PayloadTooLarge (413) when it is over ``limit`` bytes."""
    raw = event.body or ""
    # At least this many bytes (base64 decodes to 3/4 of its length): refuse before decoding.
    at_least = (len(raw) * 3 // 4 - 2) if event.is_base64_encoded else len(raw)
    if at_least > limit:
        raise PayloadTooLarge(at_least)
    data = body_bytes(event)
    if len(data) > limit:
        raise PayloadTooLarge(len(data))
    return data


def read_submission(event: Any) -> Any:
    """The submitted fields, from JSON or a browser's form post."""
    data = check_body_size(event)
    kind = content_type(event)
    if kind == FORM_TYPE:
        pairs = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {name: values[0] for name, values in pairs.items()}
    if kind == JSON_TYPE or kind.endswith("+json"):
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _Unreadable(str(exc))
    raise UnsupportedMediaType(kind)


class _Unreadable:
    """A body that is not JSON: validation reports it as 'must be a JSON object'."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status,
        JSON_TYPE + "; charset=utf-8",
        json.dumps(body, ensure_ascii=False),
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, HTML_TYPE, html, headers={**SECURITY_HEADERS, **(headers or {})})


_PLAIN_ERRORS = {
    "not_found": {"zh": "没有找到这份申请，或查询链接不正确", "en": "No such request, or the status link is not right"},
    "too_large": {"zh": "提交的内容过大（上限 64 KB）", "en": "The submission is too large (64 KB at most)"},
    "media_type": {"zh": "只接受 JSON 或表单提交", "en": "Send JSON or a form post"},
    "key_reused": {
        "zh": "这个 Idempotency-Key 已用于另一份申请",
        "en": "This Idempotency-Key was used for a different request",
    },
    "conflict": {"zh": "申请刚被他人修改，请重试", "en": "The request changed meanwhile; try again"},
    "rate_limited": {
        "zh": "提交过于频繁，您的内容未保存，请稍后再试",
        "en": "Too many requests from you just now; this one was not saved, please try again later",
    },
    "unavailable": {
        "zh": "服务暂时繁忙，您的内容未保存，请稍后重试",
        "en": "The service is busy and did not save your submission; please try again shortly",
    },
}


def oversized_answer(event: dict[str, Any], limit: int = MAX_BODY_BYTES) -> dict[str, Any] | None:
    """The 413 answer to a raw API Gateway event whose body is over ``limit`` bytes, or None.

    For resolvers with validation on: Powertools validates (parses) the body before any middleware
    runs, so the cap is checked on the raw event, before the resolver sees it."""
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    parsed = APIGatewayProxyEventV2(event)
    try:
        check_body_size(parsed, limit)
    except PayloadTooLarge:
        language = pick_language(parsed.headers.get("accept-language", "zh"))
        message = _PLAIN_ERRORS["too_large"][language]
        return {
            "statusCode": 413,
            "headers": {**SECURITY_HEADERS, "Content-Type": JSON_TYPE + "; charset=utf-8"},
            "body": json.dumps({"errors": [{"field": "", "message": message}], "message": message}, ensure_ascii=False),
            "isBase64Encoded": False,
        }
    return None


def error_answer(status: int, key: str, language: str, headers: dict[str, str] | None = None) -> Response:
    message = _PLAIN_ERRORS[key][language]
    return json_response(status, {"errors": [{"field": "", "message": message}], "message": message}, headers)


def register_error_handlers(app: Any, render_invalid_form: Any) -> None:
    """Map every expected error to its answer, in the requester's language."""

    def language() -> str:
        return preferred_language(app.current_event)

    @app.exception_handler(InvalidRequest)
    def invalid(exc: InvalidRequest) -> Response:
        if is_form_post(app.current_event):
            return html_response(400, render_invalid_form(exc))
        return json_response(400, {"errors": [e.as_dict() for e in exc.errors]})

    @app.exception_handler(NotFound)
    def not_found(exc: NotFound) -> Response:
        return error_answer(404, "not_found", language())

    @app.exception_handler(PayloadTooLarge)
    def too_large(exc: PayloadTooLarge) -> Response:
        return error_answer(413, "too_large", language())

    @app.exception_handler(UnsupportedMediaType)
    def media_type(exc: UnsupportedMediaType) -> Response:
        return error_answer(415, "media_type", language())

    @app.exception_handler(IdempotencyKeyReused)
    def key_reused(exc: IdempotencyKeyReused) -> Response:
        return error_answer(422, "key_reused", language())

    @app.exception_handler(ConcurrentChange)
    def conflict(exc: ConcurrentChange) -> Response:
        return error_answer(409, "conflict", language())

    @app.exception_handler(ServiceUnavailable)
    def unavailable(exc: ServiceUnavailable) -> Response:
        logger.warning("dependency unavailable", extra={"error": str(exc)})
        return error_answer(503, "unavailable", language(), {"Retry-After": str(exc.retry_after_seconds)})

    @app.exception_handler(StoreError)
    def store_error(exc: StoreError) -> Response:
        # Not transient (a bug or a misconfiguration), but the requester's answer is the same: nothing
        # was saved, try again later; never a bare 500. The log and the alarm tell the operators.
        logger.error("the store refused a call", extra={"error": str(exc)})
        return error_answer(503, "unavailable", language(), {"Retry-After": "60"})

    @app.exception_handler(RateLimited)
    def rate_limited(exc: RateLimited) -> Response:
        logger.info("rate limit reached", extra={"scope": exc.scope, "retry_after": exc.retry_after_seconds})
        return error_answer(429, "rate_limited", language(), {"Retry-After": str(exc.retry_after_seconds)})

    @app.exception_handler(ServiceError)
    def service_error(exc: ServiceError) -> Response:
        return json_response(exc.status_code, {"message": exc.msg})


# ---- The review queue's errors (issue 4): editors' API and the requester's answer ----------------

_REVIEW_ERRORS = {
    "forbidden": {"zh": "无权执行此操作", "en": "You may not do that"},
    "transition": {
        "zh": "当前状态下不能执行此操作",
        "en": "That action is not allowed in the request's current status",
    },
}


def register_review_error_handlers(app: Any) -> None:
    """403 for a signed-in user outside the editors group (or not holding the request), 409 naming
    the allowed actions for an invalid transition, 400 naming the parameter that cannot be read."""
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

    from corrigo.errors import BadQuery, Forbidden
    from corrigo.lifecycle import TransitionNotAllowed

    def language() -> str:
        return preferred_language(app.current_event)

    @app.exception_handler(Forbidden)
    def forbidden(exc: Forbidden) -> Response:
        message = _REVIEW_ERRORS["forbidden"][language()]
        return json_response(403, {"message": message, "reason": str(exc)})

    @app.exception_handler(TransitionNotAllowed)
    def transition(exc: TransitionNotAllowed) -> Response:
        body = {
            "message": _REVIEW_ERRORS["transition"][language()],
            "action": exc.action.value,
            "status": exc.current.value,
            "allowed": [action.value for action in exc.allowed],
        }
        return json_response(409, body)

    @app.exception_handler(BadQuery)
    def bad_query(exc: BadQuery) -> Response:
        return json_response(400, {"errors": [{"field": exc.parameter, "message": exc.message}], "message": str(exc)})

    @app.exception_handler(RequestValidationError)
    def invalid_body(exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(part) for part in error.get("loc", ())[1:]) or "body",
                "message": str(error.get("msg", "")),
            }
            for error in exc.errors()
        ]
        return json_response(400, {"errors": errors, "message": "invalid request"})
