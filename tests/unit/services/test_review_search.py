"""The editors' search in the review service: the index's candidates checked against the whole
filter, in queue order, a page at a time; a reference found directly; a text too short refused;
a text of common tokens only read from the queue instead."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corrigo.errors import BadQuery
from corrigo.lifecycle import Status
from corrigo.review import Editor
from corrigo.review_queue import QueueCursor, QueueFilter
from corrigo.search_tokens import SearchHits
from services.review import ReviewService, ReviewSettings

EDITOR = Editor("editor-1")


class CommonOnly:
    """A search index for which every token is too common to narrow anything."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def find(self, text: str) -> SearchHits:
        self.asked.append(text)
        return SearchHits((), complete=False)


def make(store, ids, clock, settings, search) -> ReviewService:
    review_settings = ReviewSettings(settings.public_base_url, (), settings.deadlines.holidays)
    return ReviewService(review_settings, store, store.links, ids, clock, search=search)


@pytest.fixture
def named(stored):
    def put(name: str, urgency: int = 3, **changes):
        request = stored(Status.QUEUED, urgency=urgency, **changes)
        return replace(request, fields={**request.fields, "requester_name": name})

    return put


def listed(service: ReviewService, cursor: QueueCursor | None = None, **flt) -> tuple[list[str], QueueCursor | None]:
    page = service.queue(QueueFilter(**flt), cursor or QueueCursor(), EDITOR)
    return [item["reference"] for item in page["items"]], page["next_cursor"]


def test_a_search_shows_only_matches_the_filter_allows_in_queue_order_and_pages(store, ids, clock, settings, named):
    service = make(store, ids, clock, settings, store)
    later = store.add(named("王小明", urgency=3))
    first = store.add(named("王小明", urgency=1))
    store.add(named("王小明", flags=("spam",)))
    store.add(named("李四"))
    resolved = store.add(replace(named("王小明"), status=Status.RESOLVED))

    assert listed(service, q="小明")[0] == [first.reference, later.reference]
    refs, cursor = listed(service, q="小明", limit=1)
    assert (refs, cursor is not None) == ([first.reference], True)
    assert listed(service, cursor, q="小明", limit=1) == ([later.reference], None)
    assert listed(service, q="小明", statuses=(Status.RESOLVED,))[0] == [resolved.reference]


def test_a_reference_is_found_directly_and_a_too_short_text_is_refused(store, ids, clock, settings, named):
    search = CommonOnly()
    service = make(store, ids, clock, settings, search)
    request = store.add(named("王小明"))
    assert listed(service, q=request.reference.lower())[0] == [request.reference]
    with pytest.raises(BadQuery) as refused:
        listed(service, q="a")
    assert refused.value.parameter == "q"
    assert search.asked == []


def test_a_text_of_common_tokens_only_is_checked_along_the_queue(store, ids, clock, settings, named):
    search = CommonOnly()
    service = make(store, ids, clock, settings, search)
    request = store.add(named("王小明"))
    store.add(named("李四"))
    assert listed(service, q="小明")[0] == [request.reference]
    assert search.asked == ["小明"]
