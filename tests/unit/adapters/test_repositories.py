"""The repositories on moto: outbox messages ride in the change's transaction, refusals are read by
item (not by position), and every query follows its pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from adapters.duplicate_links import DuplicateLinks
from adapters.dynamo import Write
from adapters.mail_markers import MailMarkers
from adapters.outbox_table import OutboxTable
from adapters.requests_table import MAX_TRANSACTION_ITEMS, RequestsTable
from corrigo import outbox
from corrigo.conflicts import ExistingSubmission, ReferenceTaken
from corrigo.errors import ConcurrentChange, IdempotencyKeyReused, RateLimited
from corrigo.intake import new_request
from corrigo.lifecycle import Action, Status
from corrigo.ratelimit import Counter
from corrigo.schema import schema_dir
from corrigo.urgency import parse_deadlines

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _key_schema(hash_key: str, range_key: str | None = None) -> list[dict[str, str]]:
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    return keys + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        names = ("pk", "sk", "queue_status", "queue_order", "article_key")
        client.create_table(
            TableName="requests",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
            KeySchema=_key_schema("pk", "sk"),
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "queue",
                    "KeySchema": _key_schema("queue_status", "queue_order"),
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "article",
                    "KeySchema": _key_schema("article_key"),
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
        )
        for name in ("outbox", "limits"):
            hash_key = "id" if name == "outbox" else "pk"
            client.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": a, "AttributeType": "S"}
                    for a in ([hash_key] if name == "outbox" else ["pk", "sk"])
                ],
                KeySchema=_key_schema(hash_key) if name == "outbox" else _key_schema("pk", "sk"),
            )
        yield client


@pytest.fixture
def table(dynamodb: Any) -> RequestsTable:
    return RequestsTable("requests", dynamodb, outbox=OutboxTable("outbox", dynamodb), rate_limit_table_name="limits")


def a_request(status: Status = Status.RECEIVED):
    fields = json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))
    new = new_request(fields, channel="web", now=NOW, deadlines=parse_deadlines(""))
    return replace(new.request, status=status), new.event


def outbox_ids(dynamodb: Any) -> set[str]:
    return {item["id"]["S"] for item in dynamodb.scan(TableName="outbox")["Items"]}


def test_a_move_and_its_messages_are_written_together_or_not_at_all(table, dynamodb):
    request, event = a_request()
    table.create(request, [event])
    queued, screened = request.move(Action.SCREEN_PASS, actor="screening", at=NOW)
    ack = outbox.email("m-1", request.reference, "acknowledgement", "2026-11-20T02:00:00.000Z")

    table.save_move(request, queued, screened, outbox=[ack])
    assert outbox_ids(dynamodb) == {"m-1"}
    assert table.get(request.reference).status is Status.QUEUED

    stale = outbox.email("m-2", request.reference, "acknowledgement", "2026-11-20T02:00:00.000Z")
    with pytest.raises(ConcurrentChange):
        table.save_move(request, queued, screened, outbox=[stale])  # `request` is no longer stored
    assert outbox_ids(dynamodb) == {"m-1"}


def test_more_messages_than_one_transaction_holds_are_all_written(table, dynamodb):
    request, event = a_request()
    table.create(request, [event])
    queued, screened = request.move(Action.SCREEN_PASS, actor="screening", at=NOW)
    many = [
        outbox.email(f"m-{n}", request.reference, "outcome", "t", f"o{n}") for n in range(MAX_TRANSACTION_ITEMS + 5)
    ]

    table.save_move(request, queued, screened, outbox=many)

    assert len(outbox_ids(dynamodb)) == MAX_TRANSACTION_ITEMS + 5


def test_creation_refusals_are_read_by_item(table):
    request, event = a_request()
    table.create(request, [event], idempotency_key="k-1", fingerprint="f-1", mail_keys=["object:b/k"])

    with pytest.raises(ExistingSubmission) as first:
        table.create(replace(request, reference="CR-2026-BBBBBB"), [event], idempotency_key="k-1", fingerprint="f-1")
    assert first.value.reference == request.reference
    with pytest.raises(IdempotencyKeyReused):
        table.create(replace(request, reference="CR-2026-BBBBBB"), [event], idempotency_key="k-1", fingerprint="f-2")
    with pytest.raises(ExistingSubmission):
        table.create(replace(request, reference="CR-2026-CCCCCC"), [event], mail_keys=["object:b/k"])
    with pytest.raises(ReferenceTaken):
        table.create(request, [event])
    # The key's refusal wins over the reference's, wherever each sits in the transaction.
    with pytest.raises(ExistingSubmission):
        table.create(request, [event], idempotency_key="k-1", fingerprint="f-1")


def test_a_full_rate_limit_counter_refuses_and_stores_nothing(table):
    counter = Counter("email", "abc", 0, ceiling=1, expires_at=2_000_000_000, retry_after_seconds=60)
    first, event = a_request()
    table.create(first, [event], limits=[counter])
    second = replace(first, reference="CR-2026-DDDDDD")

    with pytest.raises(RateLimited):
        table.create(second, [event], limits=[counter])
    assert table.get(second.reference) is None


def test_a_write_without_refusal_reports_a_concurrent_change(table):
    condition = table.db.put({"pk": "X", "sk": "Y"}, condition="attribute_exists(pk)")
    with pytest.raises(ConcurrentChange):
        table.db.transact([Write(condition)])


def test_history_and_queries_follow_every_page(table):
    request, event = a_request(Status.QUEUED)
    later = [replace(event, at=f"2026-11-20T03:00:{n:02d}.000Z", action=Action.NOTE) for n in range(25)]
    table.create(request, [event, *later])
    by_partition = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"REQ#{request.reference}"}},
    }

    assert len(list(table.db.pages(Limit=10, **by_partition))) == 3
    # The request, its 26 events, and its rows in three views of the open queue (status, type, due).
    assert len(list(table.db.query(Limit=10, **by_partition))) == 30
    history = table.history(request.reference)
    assert history.request == request
    assert [e.at for e in history.events] == sorted([event.at, *(e.at for e in later)])
    assert table.count_by_status([Status.QUEUED]) == {"queued": 1}
    assert [r.reference for r in table.open_requests([Status.QUEUED])] == [request.reference]


def test_mail_markers_and_links(table):
    request, event = a_request()
    table.create(request, [event], mail_keys=["object:b/k", "message-id:x"])
    markers, links = MailMarkers(table.db), DuplicateLinks(table)

    assert markers.seen(["message-id:x"]).reference == request.reference
    markers.remember(["object:b/other"], "CR-2026-EEEEEE")
    markers.remember(["object:b/other"], "CR-2026-FFFFFF")  # the first marker stays
    assert markers.seen(["object:b/other"]).reference == "CR-2026-EEEEEE"

    assert links.claim_primary("sig", request.reference, 2_000_000_000, 1_000) == request.reference
    assert links.claim_primary("sig", "CR-2026-GGGGGG", 2_000_000_000, 1_000) == request.reference
    assert links.claim_primary("sig", "CR-2026-GGGGGG", 2_000_000_000, 2_000_000_001) == "CR-2026-GGGGGG"
