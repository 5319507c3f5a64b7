"""infra.backfill_queue_index on moto: requests stored in the layout before issue 11 (queue_status
was the status; no views, tokens or counts) are listed, found and counted after it, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from adapters.request_items import request_item
from adapters.search_index import RequestSearch
from corrigo.lifecycle import Status
from corrigo.review_queue import QueueCursor, QueueFilter
from infra.backfill_queue_index import backfill
from tests.unit.adapters.test_repositories import a_request, dynamodb, table  # noqa: F401 (fixtures)

NOW = datetime(2026, 11, 20, 2, tzinfo=UTC)


def old_layout(table, n: int, status: Status) -> str:  # noqa: F811
    request, _ = a_request(status)
    request = replace(
        request, reference=f"CR-2026-OLD{n:03d}", fields={**request.fields, "requester_name": f"旧人{'甲乙丙'[n - 1]}"}
    )
    item = {**request_item(request), "queue_status": status.value}  # as it was written before
    table.db.call("put_item", Item=table.db.encode(item))
    return request.reference


def listed(table, **flt) -> list[str]:  # noqa: F811
    items, _ = table.list_queue(QueueFilter(**flt), QueueCursor(), editor_id="ed", now=NOW)
    return [r.reference for r in items]


def test_old_requests_are_listed_found_and_counted_after_the_backfill(table):  # noqa: F811
    queued = old_layout(table, 1, Status.QUEUED)
    in_review = old_layout(table, 2, Status.IN_REVIEW)
    resolved = old_layout(table, 3, Status.RESOLVED)
    assert listed(table) == []
    assert RequestSearch(table.db).find("人甲").references == ()

    tally = backfill(table.db)
    assert (tally.updated, tally.skipped) == (3, 0)
    assert sorted(listed(table)) == sorted([queued, in_review])
    assert listed(table, statuses=(Status.IN_REVIEW,)) == [in_review]
    assert listed(table, statuses=(Status.RESOLVED,)) == [resolved]
    assert RequestSearch(table.db).find("人甲").references == (queued,)
    assert table.count_by_status([Status.QUEUED, Status.IN_REVIEW, Status.RESOLVED]) == {
        "queued": 1,
        "in_review": 1,
        "resolved": 1,
    }

    again = backfill(table.db)  # safe to run again: nothing doubles
    assert again.updated == 3
    assert table.count_by_status([Status.QUEUED]) == {"queued": 1}
    assert sorted(listed(table)) == sorted([queued, in_review])


def test_a_request_changed_meanwhile_is_skipped(table, monkeypatch):  # noqa: F811
    old_layout(table, 1, Status.QUEUED)
    from infra import backfill_queue_index

    real = backfill_queue_index.stored_requests

    def stale(db):
        for item in real(db):
            yield {**item, "version": item["version"] + 5}  # what the scan read is no longer stored

    monkeypatch.setattr(backfill_queue_index, "stored_requests", stale)
    tally = backfill(table.db)
    assert (tally.updated, tally.skipped) == (0, 1)


def test_tokens_the_fields_no_longer_give_are_pruned(table):  # noqa: F811
    reference = old_layout(table, 1, Status.QUEUED)
    backfill(table.db)
    stale = {"pk": "SEARCH#旧词", "sk": reference}  # as an older tokeniser might have written
    gone = {"pk": "SEARCH#无主", "sk": "CR-2026-GONE01"}  # a request no longer stored
    for item in (stale, gone):
        table.db.call("put_item", Item=table.db.encode(item))

    assert backfill(table.db, dry_run=True).pruned == 2
    assert backfill(table.db).pruned == 2
    assert table.db.get("SEARCH#旧词", reference) is None
    assert table.db.get("SEARCH#人甲", reference) is not None
