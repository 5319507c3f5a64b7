"""The editors' function: the page at /editor/ (public HTML/JS) and the JSON API under /editor/api.

API Gateway's JWT authorizer guards every /editor/api route; the middleware below also requires
the `editors` group in the token's claims, so a valid token of someone else gets 403.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel, Field

from adapters.events import EventBus
from adapters.mailer import Mailer
from adapters.requests_table import RequestsTable
from corrigo.config import settings
from corrigo.review import Editor, editor_from_claims, queue_filter
from handlers.http import (
    MAX_BODY_BYTES,
    SECURITY_HEADERS,
    json_response,
    oversized_answer,
    register_error_handlers,
    register_review_error_handlers,
)
from observability import logger, metrics
from services.notify import Notifier
from services.review import ReviewService, ReviewSettings

SETTINGS = settings()  # validated at cold start
EVENT_BUS_NAME = os.environ.get("EVENT_BUS_NAME", "")
PAGE_DIR = Path(__file__).resolve().parent.parent / "web" / "editor"
API_PREFIX = "/editor/api/"
# The largest body an editor sends is a reply plus a public note (5,000 characters each, at most 6
# bytes a character as JSON \u escapes): 64 KiB, as on the public API, and nothing bigger is parsed.
EDITOR_MAX_BODY_BYTES = MAX_BODY_BYTES

app = APIGatewayHttpResolver(enable_validation=True)


@cache
def service() -> ReviewService:
    addresses = tuple(a.strip() for a in os.environ.get("EDITOR_ADDRESSES", "").split(",") if a.strip())
    review_settings = ReviewSettings(SETTINGS.public_base_url, addresses, SETTINGS.deadlines.holidays)
    notifier = Notifier(SETTINGS, Mailer(SETTINGS.ses_configuration_set))
    return ReviewService(
        review_settings,
        RequestsTable(SETTINGS.table_name),
        notifier,
        EventBus(EVENT_BUS_NAME) if EVENT_BUS_NAME else None,
    )


def require_editor(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Every API route: the verified claims must name a member of `editors` (403 otherwise)."""
    if app.current_event.path.startswith(API_PREFIX):
        authorizer = app.current_event.request_context.authorizer
        claims = authorizer.jwt_claim if authorizer is not None else None
        editor = editor_from_claims(claims)
        app.append_context(editor=editor)  # type: ignore[no-untyped-call]
        logger.append_keys(editor=editor.id)
    return next_middleware(app)


app.use(middlewares=[require_editor])
register_error_handlers(app, lambda exc: "")
register_review_error_handlers(app)


def editor() -> Editor:
    found = app.context.get("editor")
    assert isinstance(found, Editor)  # set by require_editor for every API route
    return found


# ---- The page -----------------------------------------------------------------------------------


def cognito_endpoint() -> str:
    """Where the page signs in: Cognito's own endpoint in AWS, the local endpoint (moto) locally."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return (
        os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP")
        or os.environ.get("AWS_ENDPOINT_URL")
        or f"https://cognito-idp.{region}.amazonaws.com/"
    )


def page_headers(content_type: str) -> dict[str, str]:
    # The page talks to this API and to Cognito's endpoint, nothing else.
    csp = SECURITY_HEADERS["Content-Security-Policy"] + f"; connect-src 'self' {cognito_endpoint().rstrip('/')}"
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
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return json_response(
        200,
        {
            "region": region,
            "userPoolId": os.environ.get("USER_POOL_ID", ""),
            "clientId": os.environ.get("USER_POOL_CLIENT_ID", ""),
            "cognitoEndpoint": cognito_endpoint(),
        },
        {"Cache-Control": "no-cache"},
    )


# ---- The API ------------------------------------------------------------------------------------


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class AskBody(BaseModel):
    message: str = Field(min_length=1, max_length=5000)


class ResolveBody(BaseModel):
    outcome: str = Field(description="corrected, updated, removed, rejected or forwarded_to_source")
    reply: str = Field(
        min_length=1, max_length=5000, description="The email to the requester, edited from the template"
    )
    public_note: str = Field(default="", max_length=5000, description="Shown on the status page and sent to the CMS")


class MergeBody(BaseModel):
    into: str = Field(description="The reference of the request that carries on")


class ReopenBody(BaseModel):
    reason: str = Field(default="", max_length=5000)


class QuarantineBody(BaseModel):
    reason: str = Field(default="", max_length=5000, description="Why (kept in the audit trail)")


@app.get("/editor/api/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, "application/json", app.get_openapi_json_schema(title="Corrigo editors' API", version="1"))


@app.get("/editor/api/requests", summary="The review queue, most urgent first, one page at a time")
def list_requests(
    status: Annotated[str | None, Query(description="comma-separated statuses; default the open queue")] = None,
    type: Annotated[str | None, Query(description="request type")] = None,
    urgency: Annotated[str | None, Query(description="1 urgent, 2 high, 3 normal")] = None,
    overdue: Annotated[str | None, Query()] = None,
    mine: Annotated[str | None, Query()] = None,
    q: Annotated[str | None, Query(description="title, URL, requester or reference")] = None,
    limit: Annotated[str | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
    include_spam: Annotated[str | None, Query(description="true: also requests screening judged certain spam")] = None,
) -> Response[str]:
    flt = queue_filter(
        status=status,
        request_type=type,
        urgency=urgency,
        overdue=overdue,
        mine=mine,
        q=q,
        limit=limit,
        include_spam=include_spam,
    )
    return json_response(200, service().queue(flt, cursor, editor()))


@app.get("/editor/api/counts", summary="How many requests each status holds")
def counts() -> Response[str]:
    return json_response(200, {"counts": service().counts()})


@app.get(
    "/editor/api/requests/<reference>",
    summary="Every field, the audit trail, notes and the other requests on the article",
)
def case(reference: str) -> Response[str]:
    return json_response(200, service().case(reference))


@app.get("/editor/api/requests/<reference>/reply-template", summary="The suggested reply for an outcome")
def reply_template(
    reference: str, outcome: Annotated[str, Query()], lang: Annotated[str | None, Query()] = None
) -> Response[str]:
    return json_response(200, service().reply_template(reference, outcome, lang))


@app.post("/editor/api/requests/<reference>/claim", summary="Take a queued request (only one editor can)")
def claim(reference: str) -> Response[str]:
    return json_response(200, service().claim(reference, editor()))


@app.post("/editor/api/requests/<reference>/release", summary="Give a request back to the queue")
def release(reference: str) -> Response[str]:
    return json_response(200, service().release(reference, editor()))


@app.post("/editor/api/requests/<reference>/notes", summary="Add an internal note")
def add_note(reference: str, body: NoteBody) -> Response[str]:
    return json_response(201, service().note(reference, editor(), body.text))


@app.post("/editor/api/requests/<reference>/ask", summary="Ask the requester; the deadline clock pauses")
def ask(reference: str, body: AskBody) -> Response[str]:
    return json_response(200, service().ask(reference, editor(), body.message))


@app.post("/editor/api/requests/<reference>/resolve", summary="Decide: outcome, reply to the requester, public note")
def resolve(reference: str, body: ResolveBody) -> Response[str]:
    return json_response(200, service().resolve(reference, editor(), body.outcome, body.reply, body.public_note))


@app.post("/editor/api/requests/<reference>/merge", summary="Resolve as a duplicate of another request")
def merge(reference: str, body: MergeBody) -> Response[str]:
    return json_response(200, service().merge(reference, editor(), body.into))


@app.post("/editor/api/requests/<reference>/reopen", summary="Take a decision back: the request returns to the queue")
def reopen(reference: str, body: ReopenBody | None = None) -> Response[str]:
    return json_response(200, service().reopen(reference, editor(), body.reason if body else ""))


@app.post(
    "/editor/api/requests/<reference>/quarantine/release",
    summary="A quarantined request is genuine: to the queue, acknowledged if it never was",
)
def release_quarantine(reference: str, body: QuarantineBody | None = None) -> Response[str]:
    return json_response(200, service().release_quarantine(reference, editor(), body.reason if body else ""))


@app.post(
    "/editor/api/requests/<reference>/quarantine/confirm",
    summary="Screening was right: resolved as rejected (a spam sender gets no email)",
)
def confirm_quarantine(reference: str, body: QuarantineBody | None = None) -> Response[str]:
    return json_response(200, service().confirm_quarantine(reference, editor(), body.reason if body else ""))


# ---- Personal data (issue 9, PIPL; docs/privacy.md): admins only ----------------------------------


class EraseBody(BaseModel):
    # Required (400 without), but checked after the caller is known to be an admin: someone else is
    # told 403 whatever they sent (services.privacy).
    reason: str = Field(default="", max_length=2000, description="Why (kept in the audit trail): who asked, and how")


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
def erase(reference: str, body: EraseBody | None = None) -> Response[str]:
    return json_response(200, privacy_service().erase(reference, editor(), body.reason if body else ""))


@app.get("/editor/api/requesters/<email>", summary="Every request and event held about an address (admins)")
def export(email: str) -> Response[str]:
    from urllib.parse import unquote

    # The address arrives percent-encoded in the path (@ as %40) from some clients.
    return json_response(200, privacy_service().export(unquote(email), editor()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    service().notifier.register_context(context)
    # 413 before any parsing: Powertools validates a body before the middlewares run.
    too_large = oversized_answer(event, EDITOR_MAX_BODY_BYTES)
    if too_large is not None:
        return too_large
    return app.resolve(event, context)
