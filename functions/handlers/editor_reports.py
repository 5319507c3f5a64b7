"""The editors' Reports (issue 11): GET /editor/api/reports and the page's reports.js.

Included in the editors' function (handlers.editor_api), so its middleware (the `editors` group) and
its error answers hold here too. Every editor may read reports.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from adapters.clock import utc_now
from adapters.request_reports import RequestReports
from corrigo import reports
from corrigo.config import settings
from corrigo.errors import BadQuery
from handlers.http import SECURITY_HEADERS, json_response, preferred_language
from services.reports import ReportsService
from web.reports_view import csv_rows

SETTINGS = settings()
SCRIPT = Path(__file__).resolve().parent.parent / "web" / "editor" / "reports.js"
CSV_TYPE = "text/csv; charset=utf-8"

router = APIGatewayHttpRouter()


@cache
def reports_service() -> ReportsService:
    return ReportsService(RequestReports(SETTINGS.table_name), utc_now, SETTINGS.deadlines.holidays)


@router.get("/editor/reports.js", include_in_schema=False)
def script() -> Response[str]:
    """The Reports view of the editors' page (loaded by its index.html, under the page's CSP)."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(200, "text/javascript; charset=utf-8", SCRIPT.read_text("utf-8"), headers=headers)


@router.get("/editor/api/reports", summary="The editor-in-chief's numbers for a range of Beijing dates")
def report() -> Response[str]:
    """Query: from, to (YYYY-MM-DD, Beijing dates, both included, 366 days at most); format=csv for
    the CSV (UTF-8 with BOM; headings and labels in the caller's language)."""
    params = router.current_event.query_string_parameters or {}
    language = preferred_language(router.current_event)
    wanted = params.get("format") or "json"
    if wanted not in ("json", "csv"):
        raise BadQuery("format", "json 或 csv" if language == "zh" else "json or csv")
    found = reports_service().report(params.get("from"), params.get("to"), language)
    if wanted == "json":
        return json_response(200, found, {"Cache-Control": "no-store"})
    name = f"corrigo-report-{found['from']}-{found['to']}.csv"
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    return Response(200, CSV_TYPE, reports.csv_document(csv_rows(found, language)), headers=headers)
