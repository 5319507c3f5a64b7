"""Where a request sits in the `queue` index and which partition each filter reads (corrigo.queue_index)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from corrigo.lifecycle import Status
from corrigo.model import CorrectionRequest
from corrigo.queue_index import NO_DEADLINE, PartitionScan, home_partition, is_cursor_entry, scans, view_entries
from corrigo.review_queue import QueueFilter

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
BASE = CorrectionRequest(
    reference="CR-2026-AAAAAA",
    status=Status.QUEUED,
    fields={"request_type": "removal"},
    language="zh",
    channel="web",
    created_at="2026-12-01T00:00:00.000Z",
    updated_at="2026-12-01T00:00:00.000Z",
    urgency=1,
    first_response_due="2026-12-02T00:00:00.000Z",
    decision_due="2026-12-08T00:00:00.000Z",
    status_token="t",
)


def test_open_statuses_share_one_partition_and_spam_has_its_own():
    assert home_partition(BASE) == "open"
    assert home_partition(replace(BASE, status=Status.AWAITING_REQUESTER)) == "open"
    assert home_partition(replace(BASE, status=Status.RESOLVED)) == "resolved"
    assert home_partition(replace(BASE, flags=("spam",))) == "spam#open"
    assert home_partition(replace(BASE, status=Status.QUARANTINED, flags=("spam",))) == "spam#quarantined"


def test_an_open_request_is_in_a_view_per_filter_ordered_as_the_queue_or_by_its_running_deadline():
    held = replace(BASE, assignee="ed@news.example.cn")
    order = "1#2026-12-02T00:00:00.000Z#CR-2026-AAAAAA"
    assert view_entries(held) == {
        "status": ("status#queued", order),
        "type": ("type#removal", order),
        "assignee": ("assignee#ed@news.example.cn", order),
        "due": ("due", "2026-12-02T00:00:00.000Z#CR-2026-AAAAAA"),
    }
    answered = replace(BASE, status=Status.IN_REVIEW, first_response_at="2026-12-01T01:00:00.000Z")
    assert view_entries(answered)["due"] == ("due", "2026-12-08T00:00:00.000Z#CR-2026-AAAAAA")
    asked = replace(BASE, status=Status.AWAITING_REQUESTER)
    assert view_entries(asked)["due"] == ("due", f"{NO_DEADLINE}#CR-2026-AAAAAA")
    assert view_entries(replace(BASE, status=Status.RESOLVED)) == {}
    assert view_entries(replace(BASE, flags=("spam",))) == {}


def test_the_default_queue_and_each_single_filter_read_one_partition_exactly():
    def one(**kwargs: object) -> PartitionScan:
        (scan,) = scans(QueueFilter(**kwargs), editor_id="ed@news.example.cn", now=NOW)  # type: ignore[arg-type]
        return scan

    assert one() == PartitionScan("open", exact=True)
    assert one(urgency=2) == PartitionScan("open", begins_with="2#", exact=True)
    assert one(statuses=(Status.IN_REVIEW,)) == PartitionScan("status#in_review", "status", exact=True)
    assert one(request_type="removal", urgency=1) == PartitionScan("type#removal", "type", "1#", exact=True)
    assert one(mine=True) == PartitionScan("assignee#ed@news.example.cn", "assignee", exact=True)
    assert one(overdue=True) == PartitionScan("due", "due", before="2026-12-02T08:00:00.000Z", exact=True)
    assert one(overdue=False) == PartitionScan("due", "due", after="2026-12-02T08:00:00.000Z", exact=True)
    assert one(statuses=(Status.QUARANTINED,)) == PartitionScan("quarantined")


def test_a_combined_filter_reads_the_narrowest_partition_and_checks_the_rest_in_code():
    scan = scans(QueueFilter(mine=True, request_type="removal"), editor_id="ed", now=NOW)
    assert scan == [PartitionScan("assignee#ed", "assignee", exact=False)]
    scan = scans(QueueFilter(overdue=True, urgency=1), editor_id="ed", now=NOW)
    assert scan == [PartitionScan("due", "due", before="2026-12-02T08:00:00.000Z", exact=False)]


def test_statuses_beyond_the_open_queue_and_spam_read_several_partitions():
    flt = QueueFilter(statuses=(Status.QUEUED, Status.QUARANTINED), include_spam=True)
    assert [s.partition for s in scans(flt, editor_id="ed", now=NOW)] == [
        "open",
        "quarantined",
        "spam#open",
        "spam#quarantined",
    ]


def test_a_cursor_entry_must_be_a_partition_and_position_this_service_writes():
    assert is_cursor_entry("open", "1#2026-12-02T00:00:00.000Z#CR-2026-AAAAAA")
    assert is_cursor_entry("due", "~#CR-2026-AAAAAA")
    assert is_cursor_entry("assignee#ed@news.example.cn", None)
    assert is_cursor_entry("search", "3#2026-12-02T00:00:00.000Z#CR-2026-AAAAAA")
    assert not is_cursor_entry("open", "1#x#CR-2026-AAAAAA")
    assert not is_cursor_entry("OPEN; DROP", None)
    assert not is_cursor_entry("open", 5)
