"""Builders more than one function's composition uses the same way, so each is written once.

Each handler module composes its own function at its top (settings read and checked at cold start,
services built once); this module only spares them repeating the same construction.
"""

from __future__ import annotations

from adapters.clock import new_id, utc_now
from adapters.desk_store import DeskStore
from adapters.duplicate_links import DuplicateLinks
from adapters.requests_table import RequestsTable
from adapters.search_index import RequestSearch
from corrigo.config import Settings
from services.review import ReviewService, ReviewSettings


def review_service(settings: Settings, editors: tuple[str, ...], table: RequestsTable) -> ReviewService:
    """The editors' review service: decisions, answers, the deadline sweep; replies start from the
    admins' saved templates (adapters.desk_store)."""
    review_settings = ReviewSettings(settings.public_base_url, editors, settings.deadlines.holidays)
    return ReviewService(
        review_settings, table, DuplicateLinks(table), new_id, utc_now, DeskStore(table), search=RequestSearch(table.db)
    )
