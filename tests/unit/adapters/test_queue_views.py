"""The queue's partitions, views, counters and search tokens on moto: written with each change,
read one partition a page (adapters.request_items, requests_table, queue_counters, search_index)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.search_index import RequestSearch, token_pk
from corrigo.lifecycle import Action, Status
from corrigo.review_queue import QueueCursor, QueueFilter
from tests.unit.adapters.test_repositories import a_request, dynamodb, table  # noqa: F401 (fixtures)

NOW = datetime(2026, 11, 20, 2, tzinfo=UTC)
LATER = datetime(2026, 12, 30, 2, tzinfo=UTC)
EDITOR = "ed@news.example.cn"


def stored(table: Any, n: int, **changes: Any) -> Any:  # noqa: F811
    request, event = a_request(Status.QUEUED)
    fields = {**request.fields, "requester_name": f"申请人{n}", "article_title": f"稿件{n}"}
    request = replace(request, reference=f"CR-2026-AAAA{n:02d}", fields=fields, **changes)
    table.create(request, [replace(event, status_after=request.status)])
    return request


def page(table: Any, **flt: Any) -> list[str]:  # noqa: F811
    items, _ = table.list_queue(QueueFilter(**flt), QueueCursor(), editor_id=EDITOR, now=NOW)
    return [r.reference for r in items]


def test_the_open_queue_is_one_partition_in_urgency_then_deadline_order(table, dynamodb):  # noqa: F811
    a = stored(table, 1, urgency=3, first_response_due="2026-11-21T00:00:00.000Z")
    b = stored(table, 2, urgency=1, first_response_due="2026-11-23T00:00:00.000Z", status=Status.IN_REVIEW)
    c = stored(table, 3, urgency=1, first_response_due="2026-11-22T00:00:00.000Z", status=Status.AWAITING_REQUESTER)
    stored(table, 4, status=Status.QUARANTINED)
    assert page(table) == [c.reference, b.reference, a.reference]
    assert page(table, urgency=1) == [c.reference, b.reference]
    assert page(table, statuses=(Status.IN_REVIEW,)) == [b.reference]
    assert page(table, statuses=(Status.QUARANTINED,)) == ["CR-2026-AAAA04"]


def test_each_filter_reads_its_view_and_the_views_follow_every_change(table):  # noqa: F811
    first = stored(table, 1, first_response_due="2026-11-19T00:00:00.000Z")  # overdue at NOW
    second = stored(table, 2, first_response_due="2026-11-25T00:00:00.000Z")
    assert page(table, overdue=True) == [first.reference]
    assert page(table, overdue=False) == [second.reference]
    assert page(table, request_type=first.request_type) == [first.reference, second.reference]
    assert page(table, mine=True) == []

    claimed, event = first.move(Action.CLAIM, actor=EDITOR, at=NOW, assignee=EDITOR)
    table.claim(first, claimed, event)
    assert page(table, mine=True) == [first.reference]
    assert page(table, statuses=(Status.QUEUED,)) == [second.reference]

    resolved, event = claimed.move(Action.RESOLVE, actor=EDITOR, at=NOW, outcome="rejected")
    table.save_move(claimed, resolved, event)
    assert page(table, mine=True) == []
    assert page(table, overdue=True) == []
    assert page(table, statuses=(Status.RESOLVED,)) == [first.reference]
    views = [i["sk"] for i in table.partition(first.reference) if i["sk"].startswith("VIEW#")]
    assert views == []


def test_pages_follow_the_cursor_one_query_each(table):  # noqa: F811
    made = [stored(table, n, first_response_due=f"2026-11-2{n}T00:00:00.000Z") for n in range(1, 6)]
    seen: list[str] = []
    cursor: QueueCursor | None = QueueCursor()
    while cursor is not None:
        items, cursor = table.list_queue(QueueFilter(limit=2), cursor, editor_id=EDITOR, now=NOW)
        seen += [r.reference for r in items]
    assert seen == [r.reference for r in made]


def test_counts_are_kept_per_status_without_spam(table):  # noqa: F811
    queued = stored(table, 1)
    stored(table, 2)
    stored(table, 3, status=Status.QUARANTINED, flags=("spam",))
    assert table.count_by_status([Status.QUEUED, Status.QUARANTINED, Status.IN_REVIEW]) == {
        "queued": 2,
        "quarantined": 0,
        "in_review": 0,
    }
    claimed, event = queued.move(Action.CLAIM, actor=EDITOR, at=NOW, assignee=EDITOR)
    table.claim(queued, claimed, event)
    assert table.count_by_status([Status.QUEUED, Status.IN_REVIEW]) == {"queued": 1, "in_review": 1}


def test_search_finds_by_the_rarest_token_and_follows_changed_fields(table):  # noqa: F811
    one = stored(table, 1)
    twelve = stored(table, 12)
    search = RequestSearch(table.db)
    assert search.find("申请人12").references == (twelve.reference,)
    assert twelve.reference in search.find("稿件12").references
    assert search.find("没有这个").references == ()

    renamed = replace(twelve, fields={**twelve.fields, "requester_name": "王五"}, version=twelve.version + 1)
    event = replace(table.history(twelve.reference).events[0], at="2026-11-20T05:00:00.000Z")
    table.save_move(twelve, renamed, event)
    # The name's tokens went with the name; the title's stay.
    assert search.find("申请人").references == (one.reference,)
    assert table.db.get(token_pk("申请"), twelve.reference) is None
    assert search.find("王五").references == (twelve.reference,)
    assert table.db.get(token_pk("12"), twelve.reference) is not None


@pytest.mark.parametrize("view", ["status", "type", "due"])
def test_a_view_row_holds_no_secret_and_no_key_of_another_index(table, view):  # noqa: F811
    request = stored(table, 1)
    row = table.db.get(f"REQ#{request.reference}", f"VIEW#{view}")
    assert row is not None
    assert not {"status_token", "source", "privacy_key", "article_key", "created_day"} & set(row)
    assert set(row["fields"]) <= {"request_type", "article_title", "article_url", "requester_name"}


def test_a_combined_filter_reads_past_the_items_its_check_in_code_skips(table):  # noqa: F811
    held = {"status": Status.IN_REVIEW, "assignee": EDITOR, "decision_due": "2026-12-30T00:00:00.000Z"}
    for n in range(1, 31):
        stored(table, n, urgency=1, **held)
    late = stored(table, 40, urgency=3, **{**held, "decision_due": "2026-11-19T00:00:00.000Z"})
    # `mine` is the partition; `overdue` is checked in code, and the one match is last in the partition.
    assert page(table, mine=True, overdue=True, limit=2) == [late.reference]
    assert len(page(table, mine=True, limit=100)) == 31
