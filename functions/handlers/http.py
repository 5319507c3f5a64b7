"""What the HTTP functions share: reading submissions, choosing a language, and answering errors.

Every error becomes an HTTP answer through `register_error_handlers`, with the one body of
handlers.problems; nothing else turns exceptions into responses.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.api_gateway import Response

from corrigo.errors import InvalidRequest
from corrigo.schema import pick_language
from handlers.problems import (
    PROBLEM_JSON,
    PayloadTooLarge,
    Problem,
    RouteNotFound,
    UnsupportedMediaType,
    problem_for,
)
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


def problem_response(problem: Problem, language: str) -> Response:
    body = json.dumps(problem.body(language), ensure_ascii=False)
    return Response(
        problem.status, PROBLEM_JSON + "; charset=utf-8", body, headers={**SECURITY_HEADERS, **problem.headers}
    )


def _log(problem: Problem, exc: Exception) -> None:
    """What operators need: server faults with their trace, refusals that may need a look, and
    nothing at all for a caller's own mistakes (4xx), which are answered and counted by the gateway."""
    if problem.status == 500:
        logger.exception("unexpected error", extra={"error": type(exc).__name__})
    elif problem.status >= 502 and problem.kind != "unavailable":
        logger.error("a dependency refused a call", extra={"error": str(exc), "status": problem.status})
    elif problem.status == 503:
        logger.warning("dependency unavailable", extra={"error": str(exc)})
    elif problem.status == 429:
        logger.info("rate limit reached", extra={"scope": getattr(exc, "scope", ""), "status": 429})


def register_error_handlers(app: Any, render_invalid_form: Any) -> None:
    """Answer every error ``app`` meets with problems.problem_for, in the caller's language; a
    browser's invalid form post gets the form again, its fields marked (``render_invalid_form``)."""

    def language() -> str:
        return preferred_language(app.current_event)

    @app.exception_handler(Exception)
    def any_error(exc: Exception) -> Response:
        if isinstance(exc, InvalidRequest) and is_form_post(app.current_event):
            return html_response(400, render_invalid_form(exc))
        problem = problem_for(exc)
        _log(problem, exc)
        return problem_response(problem, exc.language if isinstance(exc, InvalidRequest) else language())

    @app.not_found
    def no_route(exc: Exception) -> Response:
        return problem_response(problem_for(RouteNotFound(str(exc))), language())
