"""The editors' function: the page at /editor/ (public HTML/JS) and the JSON API under /editor/api.

API Gateway's JWT authorizer guards every /editor/api route; the middleware below also requires
the `editors` group in the token's claims, so a valid token of someone else gets 403.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.logging import correlation_paths

from adapters.raw_mail import download_links
from adapters.requests_table import RequestsTable
from corrigo.config import editor_addresses_from, settings
from corrigo.errors import BadQuery
from corrigo.review import Editor
from handlers.editor_desk import router as desk_router
from handlers.editor_reports import router as reports_router
from handlers.editor_request import (
    TextField,
    decode_cursor,
    editor_from_claims,
    encode_cursor,
    queue_filter,
    read_body,
)
from handlers.http import MAX_BODY_BYTES, SECURITY_HEADERS, check_body_size, json_response, register_error_handlers
from handlers.wiring import review_service
from observability import logger, metrics
from services.review import ReviewService
from web.editor_view import case_view, queue_row
from web.vocabulary import vocabulary

# ---- Composition: read and checked at cold start (a bad value fails INIT, naming it), built once ----
SETTINGS = settings(("PERSONAL_DATA_RETENTION_DAYS",))
EDITORS = editor_addresses_from(os.environ)
PAGE_DIR = Path(__file__).resolve().parent.parent / "web" / "editor"
API_PREFIX = "/editor/api/"
# The largest body an editor sends is a reply plus a public note (5,000 characters each, at most 6
# bytes a character as JSON \u escapes): 64 KiB, as on the public API, and nothing bigger is parsed.
EDITOR_MAX_BODY_BYTES = MAX_BODY_BYTES

# No request validation by Powertools: it would need pydantic (about 300 ms of every cold start) for
# bodies of a few text fields, which read_body checks; the OpenAPI document is built on request.
app = APIGatewayHttpResolver()


@cache
def service() -> ReviewService:
    return review_service(SETTINGS, EDITORS, RequestsTable.for_settings(SETTINGS))


def require_editor(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Every API route: the verified claims must name a member of `editors` (403 otherwise), and no
    body over EDITOR_MAX_BODY_BYTES is read (413)."""
    check_body_size(app.current_event, EDITOR_MAX_BODY_BYTES)
    if app.current_event.path.startswith(API_PREFIX):
        authorizer = app.current_event.request_context.authorizer
        claims = authorizer.jwt_claim if authorizer is not None else None
        editor = editor_from_claims(claims)
        app.append_context(editor=editor)  # type: ignore[no-untyped-call]
        logger.append_keys(editor=editor.id)
    return next_middleware(app)


app.use(middlewares=[require_editor])
register_error_handlers(app, lambda exc: "")
app.include_router(reports_router)  # GET /editor/api/reports and the page's reports.js (issue 11)
app.include_router(desk_router)  # bulk actions, reply templates, related requests, desk.js (issue 11)


def body(*expected: TextField) -> dict[str, str]:
    return read_body(app.current_event.body, *expected)


def query(name: str) -> str | None:
    return (app.current_event.query_string_parameters or {}).get(name)


def editor() -> Editor:
    found = app.context.get("editor")
    assert isinstance(found, Editor)  # set by require_editor for every API route
    return found


# ---- The page -----------------------------------------------------------------------------------


def sign_in_config() -> dict[str, str]:
    """Where the page signs in: the pool and client the template names, and Cognito's endpoint (the
    local endpoint, moto, locally). Read per request: the local stack and the tests recreate the pool."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = (
        os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP")
        or os.environ.get("AWS_ENDPOINT_URL")
        or f"https://cognito-idp.{region}.amazonaws.com/"
    )
    return {
        "region": region,
        "userPoolId": os.environ.get("USER_POOL_ID", ""),
        "clientId": os.environ.get("USER_POOL_CLIENT_ID", ""),
        "cognitoEndpoint": endpoint,
    }


def page_headers(content_type: str) -> dict[str, str]:
    # The page talks to this API and to Cognito's endpoint, nothing else.
    endpoint = sign_in_config()["cognitoEndpoint"]
    csp = SECURITY_HEADERS["Content-Security-Policy"] + f"; connect-src 'self' {endpoint.rstrip('/')}"
    return {
        **SECURITY_HEADERS,
        "Content-Security-Policy": csp,
        "Content-Type": content_type,
        "Cache-Control": "no-cache",
    }


@app.get("/editor", include_in_schema=False)
@app.get("/editor/", include_in_schema=False)
def page() -> Response[str]:
    # The same page at both addresses (its links are absolute), so neither spelling is a dead end.
    return Response(
        200,
        "text/html; charset=utf-8",
        (PAGE_DIR / "index.html").read_text("utf-8"),
        headers=page_headers("text/html; charset=utf-8"),
    )


@app.get("/editor/editor.js", include_in_schema=False)
def script() -> Response[str]:
    return Response(
        200,
        "text/javascript; charset=utf-8",
        (PAGE_DIR / "editor.js").read_text("utf-8"),
        headers=page_headers("text/javascript; charset=utf-8"),
    )


@app.get("/editor/config.json", include_in_schema=False)
def config() -> Response[str]:
    return json_response(
        200,
        {
            **sign_in_config(),
            "vocabulary": vocabulary(),
        },
        {"Cache-Control": "no-cache"},
    )


# ---- The API ------------------------------------------------------------------------------------


TEXT = 5000  # characters, at most, of any text an editor writes


@app.get("/editor/api/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, "application/json", app.get_openapi_json_schema(title="Corrigo editors' API", version="1"))


@app.get("/editor/api/requests", summary="The review queue, most urgent first, one page at a time")
def list_requests() -> Response[str]:
    """Query: status (comma-separated; default the open queue), type, urgency (1 urgent, 2 high,
    3 normal), overdue, mine, q (title, URL, requester or reference), limit, cursor, include_spam."""
    flt = queue_filter(
        status=query("status"),
        request_type=query("type"),
        urgency=query("urgency"),
        overdue=query("overdue"),
        mine=query("mine"),
        q=query("q"),
        limit=query("limit"),
        include_spam=query("include_spam"),
    )
    page = service().queue(flt, decode_cursor(query("cursor")), editor())
    next_cursor = page["next_cursor"]
    page["items"] = [queue_row(item, service().clock(), SETTINGS.deadlines.holidays) for item in page["items"]]
    return json_response(200, {**page, "next_cursor": encode_cursor(next_cursor) if next_cursor else None})


@app.get("/editor/api/counts", summary="How many requests each status holds")
def counts() -> Response[str]:
    return json_response(200, {"counts": service().counts()})


@app.get(
    "/editor/api/requests/<reference>",
    summary="Every field, the audit trail, notes and the other requests on the article",
)
def case(reference: str) -> Response[str]:
    document = service().case(reference)
    document["attachments"] = download_links(document["attachments"])
    return json_response(200, case_view(document, service().clock(), SETTINGS.deadlines.holidays))


@app.get("/editor/api/requests/<reference>/reply-template", summary="The suggested reply for an outcome")
def reply_template(reference: str) -> Response[str]:
    outcome = query("outcome")
    if not outcome:
        raise BadQuery("outcome", "is required")
    return json_response(200, service().reply_template(reference, outcome, query("lang")))


@app.post("/editor/api/requests/<reference>/claim", summary="Take a queued request (only one editor can)")
def claim(reference: str) -> Response[str]:
    return json_response(200, service().claim(reference, editor()))


@app.post("/editor/api/requests/<reference>/release", summary="Give a request back to the queue")
def release(reference: str) -> Response[str]:
    return json_response(200, service().release(reference, editor()))


@app.post("/editor/api/requests/<reference>/notes", summary="Add an internal note")
def add_note(reference: str) -> Response[str]:
    text = body(TextField("text", required=True, max_length=TEXT))["text"]
    return json_response(201, service().note(reference, editor(), text))


@app.post("/editor/api/requests/<reference>/ask", summary="Ask the requester; the deadline clock pauses")
def ask(reference: str) -> Response[str]:
    message = body(TextField("message", required=True, max_length=TEXT))["message"]
    return json_response(200, service().ask(reference, editor(), message))


@app.post("/editor/api/requests/<reference>/resolve", summary="Decide: outcome, reply to the requester, public note")
def resolve(reference: str) -> Response[str]:
    """Body: outcome (corrected, updated, removed, rejected or forwarded_to_source), reply (the email to
    the requester, edited from the template), public_note (shown on the status page, sent to the CMS)."""
    decision = body(
        TextField("outcome", required=True),
        TextField("reply", required=True, max_length=TEXT),
        TextField("public_note", max_length=TEXT),
    )
    outcome, reply, note = decision["outcome"], decision["reply"], decision["public_note"]
    return json_response(200, service().resolve(reference, editor(), outcome, reply, note))


@app.post("/editor/api/requests/<reference>/merge", summary="Resolve as a duplicate of another request")
def merge(reference: str) -> Response[str]:
    """Body: into, the reference of the request that carries on."""
    return json_response(200, service().merge(reference, editor(), body(TextField("into", required=True))["into"]))


@app.post("/editor/api/requests/<reference>/reopen", summary="Take a decision back: the request returns to the queue")
def reopen(reference: str) -> Response[str]:
    return json_response(200, service().reopen(reference, editor(), body(TextField("reason"))["reason"]))


@app.post(
    "/editor/api/requests/<reference>/quarantine/release",
    summary="A quarantined request is genuine: to the queue, acknowledged if it never was",
)
def release_quarantine(reference: str) -> Response[str]:
    """Body: reason (why; kept in the audit trail)."""
    reason = body(TextField("reason"))["reason"]
    return json_response(200, service().release_quarantine(reference, editor(), reason))


@app.post(
    "/editor/api/requests/<reference>/quarantine/confirm",
    summary="Screening was right: resolved as rejected (a spam sender gets no email)",
)
def confirm_quarantine(reference: str) -> Response[str]:
    """Body: reason (why; kept in the audit trail)."""
    reason = body(TextField("reason"))["reason"]
    return json_response(200, service().confirm_quarantine(reference, editor(), reason))


# ---- Personal data (issue 9, PIPL; docs/privacy.md): admins only ----------------------------------


@cache
def privacy_service() -> Any:
    from adapters.privacy_store import PrivacyStore
    from services.privacy import PrivacyService

    return PrivacyService(
        PrivacyStore(RequestsTable(SETTINGS.table_name)), retention_days=SETTINGS.personal_data_retention_days
    )


@app.post(
    "/editor/api/requests/<reference>/erase",
    summary="Erase the requester's personal data now (admins): the request stays, anonymised",
)
def erase(reference: str) -> Response[str]:
    """Body: reason (why, kept in the audit trail: who asked, and how). Required (400 without), but
    checked after the caller is known to be an admin: anyone else is told 403 whatever they sent."""
    reason = body(TextField("reason", max_length=2000))["reason"]
    return json_response(200, privacy_service().erase(reference, editor(), reason))


@app.get("/editor/api/requesters/<email>", summary="Every request and event held about an address (admins)")
def export(email: str) -> Response[str]:
    from urllib.parse import unquote

    # The address arrives percent-encoded in the path (@ as %40) from some clients.
    return json_response(200, privacy_service().export(unquote(email), editor()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
