"""The editors' desk (issue 11): bulk actions, saved reply templates, related requests, and the
page's desk.js (selection, shortcuts, the timeline's neighbours).

Included in the editors' function (handlers.editor_api), so its middleware (the `editors` group)
and its error answers hold here too. Saving a template is for admins (services.desk checks).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from adapters.clock import utc_now
from adapters.desk_store import DeskStore
from adapters.requests_table import RequestsTable
from corrigo.config import editor_addresses_from, settings
from corrigo.review import Editor
from handlers.http import SECURITY_HEADERS, json_response, preferred_language
from handlers.problems import InvalidBody
from handlers.wiring import review_service
from services.desk import DeskService
from web.vocabulary import vocabulary

SETTINGS = settings()
EDITORS = editor_addresses_from(os.environ)
SCRIPT = Path(__file__).resolve().parent.parent / "web" / "editor" / "desk.js"

router = APIGatewayHttpRouter()


@cache
def desk_service() -> DeskService:
    table = RequestsTable.for_settings(SETTINGS)
    return DeskService(review_service(SETTINGS, EDITORS, table), table, DeskStore(table), utc_now)


def editor() -> Editor:
    found = router.context.get("editor")
    assert isinstance(found, Editor)  # set by handlers.editor_api.require_editor for every API route
    return found


def json_body() -> dict[str, Any]:
    raw = router.current_event.body
    try:
        data = json.loads(raw) if raw and raw.strip() else {}
    except json.JSONDecodeError:
        raise InvalidBody([("body", "must be a JSON object")]) from None
    if not isinstance(data, dict):
        raise InvalidBody([("body", "must be a JSON object")])
    return data


@router.get("/editor/desk.js", include_in_schema=False)
def script() -> Response[str]:
    """Bulk selection, keyboard shortcuts, reply templates and related requests on the editors' page."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(200, "text/javascript; charset=utf-8", SCRIPT.read_text("utf-8"), headers=headers)


@router.post("/editor/api/requests/bulk", summary="Claim, release or reject many requests, each on its own")
def bulk() -> Response[str]:
    """Body: references (at most 50), action (claim, release or reject), reply (reject only, optional:
    one reply with placeholders; without it each requester gets the saved rejected template). The
    answer lists every reference: ok, its status, and if refused why (`refusal`, `message` in the
    editor's language)."""
    data = json_body()
    answer = desk_service().bulk(data.get("action"), data.get("references"), editor(), data.get("reply"))
    language = preferred_language(router.current_event)
    refusals = vocabulary()["bulk_refusal"]
    for item in answer["items"]:
        item["message"] = refusals[item["refusal"]][language] if item["refusal"] else None
    return json_response(200, answer)


@router.get(
    "/editor/api/requests/<reference>/related",
    summary="The requester's other requests and the article's, newest first",
)
def related(reference: str) -> Response[str]:
    return json_response(200, desk_service().related(reference))


@router.get("/editor/api/reply-templates/<outcome>", summary="The reply template for an outcome (zh, en)")
def get_template(outcome: str) -> Response[str]:
    return json_response(200, desk_service().template(outcome))


@router.put("/editor/api/reply-templates/<outcome>", summary="Save the reply template for an outcome (admins)")
def put_template(outcome: str) -> Response[str]:
    """Body: zh, en (text with placeholders such as {article_title}; an unknown one is refused)."""
    return json_response(200, desk_service().save_template(outcome, json_body(), editor()))
