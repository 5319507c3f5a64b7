"""infra/moto_fixes/dynamodb_queries.py: a Query answers what moto as released answers, on the
table, on a local and on a global index, page by page, and without sorting the whole table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.moto_fixes.conftest import COUNTERS, REQUESTS, mocked_dynamodb, moto_as

QUERIES: list[dict[str, Any]] = [
    {"TableName": REQUESTS, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "R#3"}}},
    {  # a partition that does not exist
        "TableName": REQUESTS,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "R#missing"}},
    },
    {
        "TableName": REQUESTS,
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :e)",
        "ExpressionAttributeValues": {":p": {"S": "R#3"}, ":e": {"S": "EVENT#"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
    {
        "TableName": REQUESTS,
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "FilterExpression": "attribute_exists(note)",
        "ExpressionAttributeValues": {":p": {"S": "R#4"}, ":a": {"S": "EVENT#1"}, ":b": {"S": "EVENT#3"}},
    },
    {
        "TableName": REQUESTS,
        "IndexName": "queue",
        "KeyConditionExpression": "queue_status = :s",
        "ExpressionAttributeValues": {":s": {"S": "queued"}},
        "Limit": 3,
    },
    {
        "TableName": REQUESTS,
        "IndexName": "queue",
        "KeyConditionExpression": "queue_status = :s AND begins_with(queue_order, :o)",
        "FilterExpression": "#n <> :skip",
        "ExpressionAttributeNames": {"#n": "pk"},
        "ExpressionAttributeValues": {":s": {"S": "queued"}, ":o": {"S": "1"}, ":skip": {"S": "R#1"}},
        "ScanIndexForward": False,
    },
    {
        "TableName": REQUESTS,
        "IndexName": "queue",
        "KeyConditionExpression": "queue_status = :s",
        "ProjectionExpression": "pk, queue_order",
        "ExpressionAttributeValues": {":s": {"S": "closed"}},
    },
    {
        "TableName": REQUESTS,
        "IndexName": "by_received",
        "KeyConditionExpression": "pk = :p AND received_at > :t",
        "ExpressionAttributeValues": {":p": {"S": "R#2"}, ":t": {"S": "2026-01-01T00:01"}},
    },
    {"TableName": COUNTERS, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "C#2"}}},
    {  # refused: by the fixed moto as by the released one
        "TableName": REQUESTS,
        "IndexName": "no-such-index",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "R#1"}},
    },
]


def _fill(client: Any) -> None:
    for request in range(8):
        pk = {"S": f"R#{request}"}
        item: dict[str, Any] = {"pk": pk, "sk": {"S": "REQUEST"}, "received_at": {"S": f"2026-01-01T00:0{request}"}}
        if request % 3 != 2:  # a third of the requests are out of the queue index (no queue_status)
            item["queue_status"] = {"S": "queued" if request % 3 == 0 else "closed"}
            item["queue_order"] = {"S": f"{request % 2}#{request}"}
        client.put_item(TableName=REQUESTS, Item=item)
        for event in range(5):
            event_item = {"pk": pk, "sk": {"S": f"EVENT#{event}"}, "received_at": {"S": f"2026-01-01T00:0{event}"}}
            if event % 2:
                event_item["note"] = {"S": "odd"}
            client.put_item(TableName=REQUESTS, Item=event_item)
    for counter in range(4):
        client.put_item(TableName=COUNTERS, Item={"pk": {"S": f"C#{counter}"}, "hits": {"N": str(counter)}})


def _every_page(client: Any, query: dict[str, Any]) -> list[Any]:
    pages: list[Any] = []
    request = dict(query)
    try:
        while True:
            page = client.query(**request)
            pages.append((page["Items"], page["Count"], page["ScannedCount"], page.get("LastEvaluatedKey")))
            if "LastEvaluatedKey" not in page:
                return pages
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except ClientError as error:
        return [*pages, error.response["Error"]]


def _answers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with mocked_dynamodb(monkeypatch) as client:
        _fill(client)
        client.delete_item(TableName=REQUESTS, Key={"pk": {"S": "R#3"}, "sk": {"S": "EVENT#2"}})
        return [_every_page(client, query) for query in QUERIES]


def test_queries_answer_the_same_on_the_fixed_and_the_released_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"):
        fixed = _answers(monkeypatch)
    with moto_as("upstream"):
        upstream = _answers(monkeypatch)

    assert fixed == upstream
    assert all(fixed), "every query has an answer"
    assert sum(len(answer) for answer in fixed) > len(QUERIES), "some queries do span several pages"
    assert "Code" in fixed[-1][-1], "the query of a missing index is refused"


class Comparisons:
    def __init__(self) -> None:
        self.count = 0


@contextmanager
def counting_key_comparisons(monkeypatch: pytest.MonkeyPatch) -> Iterator[Comparisons]:
    """How often moto compares two key values for order: what sorting the whole table costs."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    comparisons = Comparisons()
    upstream_lt = DynamoType.__lt__

    def counted(self: Any, other: Any) -> Any:
        comparisons.count += 1
        return upstream_lt(self, other)

    with monkeypatch.context() as patch:
        patch.setattr(DynamoType, "__lt__", counted)
        yield comparisons


def query_one_partition_of_a_big_table(client: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """Key comparisons made by a Query of a 3-item partition, in a table of 600 items."""
    for request in range(300):
        for sk in ("REQUEST", "EVENT#1"):
            client.put_item(TableName=REQUESTS, Item={"pk": {"S": f"R#{request:04}"}, "sk": {"S": sk}})
    client.put_item(TableName=REQUESTS, Item={"pk": {"S": "R#0007"}, "sk": {"S": "EVENT#2"}})
    with counting_key_comparisons(monkeypatch) as comparisons:
        items = client.query(
            TableName=REQUESTS, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "R#0007"}}
        )["Items"]
    assert len(items) == 3
    return comparisons.count


def test_a_partition_query_does_not_sort_the_whole_table(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        comparisons = query_one_partition_of_a_big_table(client, monkeypatch)

    assert comparisons < 20


def query_a_big_index_partition(client: Any, monkeypatch: pytest.MonkeyPatch, size: int = 500) -> int:
    """Key comparisons made by one page of a global index partition of ``size`` items, written in an
    order that is not the index's."""
    for n in range(size):
        order = f"{(n * 7919) % size:05}"  # a permutation of 0..size-1
        client.put_item(
            TableName=REQUESTS,
            Item={
                "pk": {"S": f"R#{n:05}"},
                "sk": {"S": "REQUEST"},
                "queue_status": {"S": "queued"},
                "queue_order": {"S": order},
            },
        )
    with counting_key_comparisons(monkeypatch) as comparisons:
        page = client.query(
            TableName=REQUESTS,
            IndexName="queue",
            KeyConditionExpression="queue_status = :s",
            ExpressionAttributeValues={":s": {"S": "queued"}},
            Limit=20,
        )
    assert [item["queue_order"]["S"] for item in page["Items"]] == [f"{n:05}" for n in range(20)]
    return comparisons.count


def test_an_index_partition_is_ordered_with_one_comparison_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        comparisons = query_a_big_index_partition(client, monkeypatch)

    assert comparisons < 2 * 500
