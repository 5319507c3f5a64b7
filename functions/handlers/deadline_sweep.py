"""The scheduled deadline sweep (every 15 minutes): overdue requests escalated once per breach."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from adapters.mailer import Mailer
from adapters.privacy_store import PrivacyStore
from adapters.queues import Queue
from adapters.requests_table import RequestsTable
from corrigo.config import settings
from observability import logger, metrics
from services.notify import Notifier
from services.privacy import PrivacyService
from services.review import ReviewService, ReviewSettings

SETTINGS = settings()


@cache
def service() -> ReviewService:
    addresses = tuple(a.strip() for a in os.environ.get("EDITOR_ADDRESSES", "").split(",") if a.strip())
    review_settings = ReviewSettings(SETTINGS.public_base_url, addresses, SETTINGS.deadlines.holidays)
    return ReviewService(
        review_settings, RequestsTable(SETTINGS.table_name), Notifier(SETTINGS, Mailer(SETTINGS.ses_configuration_set))
    )


@cache
def privacy_service() -> PrivacyService:
    """The retention half of the sweep (issue 9): personal data of requests resolved too long ago."""
    return PrivacyService(
        PrivacyStore(RequestsTable(SETTINGS.table_name)), retention_days=SETTINGS.personal_data_retention_days
    )


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    service().notifier.register_context(context)
    queue = Queue(SETTINGS.intake_queue_url) if SETTINGS.intake_queue_url else None
    return {**service().sweep(queue), **privacy_service().sweep_retention()}
