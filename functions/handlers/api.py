"""The public HTTP function: the form page, POST /requests, and the requester's status page."""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from adapters.clock import new_id, utc_now
from adapters.queues import Queue
from adapters.requests_table import RequestsTable
from corrigo import formtoken
from corrigo.config import editor_addresses_from, settings
from corrigo.errors import InvalidRequest
from corrigo.schema import pick_language
from handlers.http import (
    html_response,
    is_form_post,
    json_response,
    preferred_language,
    read_submission,
    register_error_handlers,
    wants_html,
)
from handlers.wiring import review_service
from observability import logger, metrics
from services.contact import ContactService
from services.intake import IntakeService
from services.review import ReviewService
from web import pages
from web.render import render_page

# ---- Composition: read and checked at cold start (a bad value fails INIT, naming it), built once ----
SETTINGS = settings(("INTAKE_QUEUE_URL", "FORM_SIGNING_SECRET", "RATE_LIMITS", "RATE_LIMIT_TABLE_NAME"))
EDITORS = editor_addresses_from(os.environ)
app = APIGatewayHttpResolver()


@cache
def table() -> RequestsTable:
    return RequestsTable.for_settings(SETTINGS)


@cache
def intake() -> IntakeService:
    return IntakeService(SETTINGS, table(), Queue(SETTINGS.intake_queue_url), utc_now)


def form_token() -> str:
    return formtoken.issue(SETTINGS.form_signing_secret, time.time())


def render_invalid_form(exc: InvalidRequest) -> str:
    return pages.form_page(
        exc.language, values=exc.data, errors=exc.errors, domains=SETTINGS.site_domains, form_token=form_token()
    )


register_error_handlers(app, render_invalid_form)


@cache
def answers() -> ReviewService:
    """The requester's answer to an editor's question (the review service, without the editors' API)."""
    return review_service(SETTINGS, EDITORS, table())


@cache
def contacts() -> ContactService:
    """Address confirmation (issue 9): the link mailed to an unconfirmed address, and what follows it."""
    return ContactService(SETTINGS, table(), new_id, utc_now)


@app.get("/")
def form() -> Response:
    page = pages.form_page(
        preferred_language(app.current_event), domains=SETTINGS.site_domains, form_token=form_token()
    )
    # The page carries a fresh render-time token: never serve it from a cache.
    return html_response(200, page, {"Cache-Control": "no-store"})


@app.post("/requests")
def submit() -> Response:
    event = app.current_event
    raw = read_submission(event)
    language = preferred_language(event, raw)
    accepted = intake().submit(
        raw,
        channel="web" if is_form_post(event) else "api",
        language=language,
        idempotency_key=event.headers.get("idempotency-key") or None,
        source={"ip": event.request_context.http.source_ip, "user_agent": event.request_context.http.user_agent or ""},
    )
    metrics.add_metric(name="RequestsAccepted", unit=MetricUnit.Count, value=1)
    status_url = f"/requests/{accepted.reference}?token={accepted.status_token}"
    if is_form_post(event):
        return Response(303, "text/plain; charset=utf-8", "", headers={"Location": f"{status_url}&lang={language}"})
    return json_response(
        202,
        {"reference": accepted.reference, "status": accepted.status, "status_url": status_url},
        {"Location": status_url},
    )


@app.get("/requests/<reference>")
def status(reference: str) -> Response:
    event = app.current_event
    query = event.query_string_parameters or {}
    request, history = intake().status(reference, query.get("token"))
    language = pick_language(query["lang"]) if query.get("lang") else request.language
    no_store = {"Cache-Control": "no-store"}
    if wants_html(event):
        return html_response(200, pages.status_page(request, history, language, token=request.status_token), no_store)
    return json_response(200, pages.status_document(request, history, language), no_store)


@app.post("/requests/<reference>/answer")
def answer(reference: str) -> Response:
    """The reply form on the status page (or JSON `{"text"}`): back to the editor who asked."""
    event = app.current_event
    raw = read_submission(event)
    query = event.query_string_parameters or {}
    text = str(raw.get("text", "")) if isinstance(raw, dict) else ""
    request = answers().answer(reference, text, "web", query.get("token"))
    status_url = f"/requests/{request.reference}?token={request.status_token}"
    if is_form_post(event):
        location = f"{status_url}&lang={preferred_language(event, raw)}"
        return Response(303, "text/plain; charset=utf-8", "", headers={"Location": location})
    return json_response(
        200, {"reference": request.reference, "status": request.status.value, "status_url": status_url}
    )


@app.get("/requests/<reference>/confirm")
def confirm_page(reference: str) -> Response:
    """The link in the confirmation notice: a page with one button, so a mail scanner that fetches
    every link confirms nothing. An unknown reference or a wrong token is 404, as for the status page."""
    token = (app.current_event.query_string_parameters or {}).get("token")
    contacts().check(reference, token)
    page = render_page("confirm.html", lang="zh", reference=reference, token=token)
    return html_response(200, page, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@app.post("/requests/<reference>/confirm")
def confirm(reference: str) -> Response:
    """The button (a form post) or a JSON `{"token"}`: the address is confirmed and the mail it was
    owed follows; a browser goes on to the status page, which the same mail linked."""
    event = app.current_event
    raw = read_submission(event)
    token = str(raw.get("token", "")) if isinstance(raw, dict) else ""
    request = contacts().confirm(reference, token or (event.query_string_parameters or {}).get("token"))
    status_url = f"/requests/{request.reference}?token={request.status_token}"
    if is_form_post(event):
        location = f"{status_url}&lang={request.language}"
        return Response(303, "text/plain; charset=utf-8", "", headers={"Location": location})
    return json_response(200, {"reference": request.reference, "confirmed": True, "status_url": status_url})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
