"""The scheduled deadline sweep (every 15 minutes): overdue requests escalated once per breach."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from adapters.privacy_store import PrivacyStore
from adapters.queues import Queue
from adapters.requests_table import RequestsTable
from corrigo.config import editor_addresses_from, settings
from handlers.wiring import review_service
from observability import logger, metrics
from services.privacy import PrivacyService
from services.review import ReviewService

# ---- Composition: read and checked at cold start (a bad value fails INIT, naming it), built once ----
SETTINGS = settings(("INTAKE_QUEUE_URL", "PERSONAL_DATA_RETENTION_DAYS"))
EDITORS = editor_addresses_from(os.environ)


@cache
def service() -> ReviewService:
    return review_service(SETTINGS, EDITORS, RequestsTable.for_settings(SETTINGS))


@cache
def privacy_service() -> PrivacyService:
    """The retention half of the sweep (issue 9): personal data of requests resolved too long ago."""
    return PrivacyService(
        PrivacyStore(RequestsTable(SETTINGS.table_name)), retention_days=SETTINGS.personal_data_retention_days
    )


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    queue = Queue(SETTINGS.intake_queue_url) if SETTINGS.intake_queue_url else None
    return {**service().sweep(queue), **privacy_service().sweep_retention()}
