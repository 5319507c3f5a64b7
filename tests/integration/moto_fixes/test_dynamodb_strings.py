"""infra/moto_fixes/dynamodb_strings.py: the equal strings of a request are one object in the items moto
builds, every answer is what moto as released gives, and a request-shaped transaction costs less."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.moto_fixes.conftest import REQUESTS, mocked_dynamodb, moto_as
from tests.integration.moto_fixes.probes import (
    answers_on_fixed_and_upstream,
    bytes_kept_each,
    cost_without_and_with,
    stored_item,
)

ARTICLE = {
    "article_url": {"S": "https://news.example.cn/2026/03/01/article-123.html"},
    "article_title": {"S": "某市通报"},
}


def _request_items(n: int) -> list[dict[str, Any]]:
    """A request, three queue views carrying most of it, and a few search tokens (as POST /requests)."""
    common = {
        "reference": {"S": f"CR-2026-{n:06}"}, "status": {"S": "queued"}, "language": {"S": "zh"},
        "channel": {"S": "web"}, "created_at": {"S": f"2026-03-01T08:{n % 60:02}:00.000000+00:00"},
        "updated_at": {"S": f"2026-03-01T08:{n % 60:02}:00.000000+00:00"}, "request_type": {"S": "correction"},
        "fields": {"M": {**ARTICLE, "requester_name": {"S": "王小明"}}},
    }  # fmt: skip
    pk = {"S": f"REQ#CR-2026-{n:06}"}
    items = [{"pk": pk, "sk": {"S": "REQUEST"}, **common}]
    items += [{"pk": pk, "sk": {"S": f"VIEW#{view}"}, **common} for view in ("open", "type", "due")]
    items += [
        {"pk": {"S": f"SEARCH#{token}"}, "sk": pk, "reference": common["reference"]}
        for token in ("news", "example", "cn", "2026", "article")
    ]
    return items


def _put_request(client: Any, n: int) -> None:
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": REQUESTS, "Item": item}} for item in _request_items(n)]
    )


def _scenario(client: Any) -> list[Any]:
    for n in range(3):
        _put_request(client, n)
    client.update_item(
        TableName=REQUESTS, Key={"pk": {"S": "REQ#CR-2026-000001"}, "sk": {"S": "REQUEST"}},
        UpdateExpression="SET #s = :s, #f.note = :n", ExpressionAttributeNames={"#s": "status", "#f": "fields"},
        ExpressionAttributeValues={":s": {"S": "resolved"}, ":n": {"S": "resolved"}},
    )  # fmt: skip
    client.batch_write_item(RequestItems={REQUESTS: [{"PutRequest": {"Item": item}} for item in _request_items(7)[:4]]})
    return [
        sorted(str(item) for item in client.scan(TableName=REQUESTS)["Items"]),
        client.query(
            TableName=REQUESTS, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "REQ#CR-2026-000001"}},
        )["Items"],
        client.get_item(TableName=REQUESTS, Key={"pk": {"S": "SEARCH#cn"}, "sk": {"S": "REQ#CR-2026-000002"}})["Item"],
    ]  # fmt: skip


def test_answers_are_the_same_on_the_fixed_and_the_released_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed, upstream = answers_on_fixed_and_upstream(_scenario, monkeypatch)

    assert fixed == upstream


def test_the_items_of_a_request_share_its_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_as("fixed"), mocked_dynamodb(monkeypatch) as client:
        _put_request(client, 1)
        _put_request(client, 2)
        request, view = (
            stored_item(REQUESTS, "REQ#CR-2026-000001", "REQUEST"),
            stored_item(REQUESTS, "REQ#CR-2026-000001", "VIEW#open"),
        )
        other = stored_item(REQUESTS, "REQ#CR-2026-000002", "REQUEST")

    assert request.attrs["created_at"].value is view.attrs["created_at"].value
    assert request.attrs["fields"].value["article_title"].value is view.attrs["fields"].value["article_title"].value
    # attribute names are the same object in every item, across requests
    names = {name: name for name in request.attrs}
    assert all(names[name] is name for name in other.attrs)


def _bytes_per_request(monkeypatch: pytest.MonkeyPatch, count: int = 200) -> float:
    with mocked_dynamodb(monkeypatch) as client:
        _put_request(client, 0)  # moto's and boto3's own first-call caches, before measuring
        return bytes_kept_each(count, lambda n: _put_request(client, n + 1))


def test_a_request_costs_less_memory_than_without_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.moto_fixes import dynamodb_strings

    without, fixed = cost_without_and_with(dynamodb_strings, lambda: _bytes_per_request(monkeypatch))

    # Measured here: 22.1 KB a request without, 18.4 KB with.
    assert fixed < 0.9 * without, f"{fixed:.0f} bytes a request with the fix, {without:.0f} without"
