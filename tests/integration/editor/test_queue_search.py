"""The queue through the editors' API (issue 11): one partition a page, search through the index the
write path keeps (never the queue), counts kept per status without spam, and erasure taking a
request's search tokens with its personal data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.editor.test_privacy import ADMIN_GROUPS


def refs(gateway: Any, token: str, **query: str) -> list[str]:
    status, _, page = gateway("GET", "/editor/api/requests", token=token, query=query)
    assert status == 200, page
    return [item["reference"] for item in page["items"]]


def search_items(aws: Any) -> list[dict[str, Any]]:
    answer = aws.clients("dynamodb").scan(
        TableName=aws.ref("RequestsTable"),
        FilterExpression="begins_with(pk, :search)",
        ExpressionAttributeValues={":search": {"S": "SEARCH#"}},
    )
    return answer["Items"]


def test_search_finds_by_name_email_title_and_url_in_chinese_and_english(gateway, tokens, queued):
    wang = queued(requester_name="王小明", requester_email="Wang.XM@example.org", article_title="暴雨预警更新")
    li = queued(requester_name="李大伟", article_url="https://news.example.cn/2026/12/flood-88412.html")
    token = tokens()
    assert refs(gateway, token, q="小明") == [wang]
    assert refs(gateway, token, q="wang.xm@EXAMPLE.org") == [wang]
    assert refs(gateway, token, q="预警") == [wang]
    assert refs(gateway, token, q="88412") == [li]
    assert refs(gateway, token, q="ＦＬＯＯＤ") == [li]  # full-width letters meet their plain forms
    assert refs(gateway, token, q=li.lower()) == [li]  # a reference, in any case
    assert refs(gateway, token, q="没有的人") == []


def test_search_finds_only_what_the_same_filter_would_list(gateway, tokens, queued):
    held = queued(requester_name="赵六", website="http://spam.example")  # honeypot: quarantined as spam
    token = tokens()
    assert refs(gateway, token, q="赵六") == []
    assert refs(gateway, token, q="赵六", status="quarantined") == []
    assert refs(gateway, token, q="赵六", status="quarantined", include_spam="true") == [held]


def test_a_search_too_short_to_look_up_is_400_naming_q(gateway, tokens):
    status, _, error = gateway("GET", "/editor/api/requests", token=tokens(), query={"q": "王"})
    assert status == 200  # one character is a token of its own: a one-character name is found
    status, _, error = gateway("GET", "/editor/api/requests", token=tokens(), query={"q": "a"})
    assert status == 400 and error["errors"][0]["field"] == "q"


def test_search_results_page_with_the_cursor(gateway, tokens, queued):
    made = {queued(requester_name=f"陈{n}号") for n in range(5)}
    token = tokens()
    seen: list[str] = []
    cursor = None
    while True:
        query = {"q": "陈", "limit": "2", **({"cursor": cursor} if cursor else {})}
        status, _, page = gateway("GET", "/editor/api/requests", token=token, query=query)
        assert status == 200, page
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5


def test_counts_follow_each_change_and_leave_spam_out(gateway, tokens, queued):
    token = tokens()
    before = gateway("GET", "/editor/api/counts", token=token)[2]["counts"]
    first, _ = queued(), queued()
    queued(website="http://spam.example")
    assert gateway("POST", f"/editor/api/requests/{first}/claim", token=token)[0] == 200
    after = gateway("GET", "/editor/api/counts", token=token)[2]["counts"]
    assert after["queued"] - before["queued"] == 1
    assert after["in_review"] - before["in_review"] == 1
    assert after["quarantined"] == before["quarantined"]


@pytest.mark.parametrize("field", ["requester_name", "requester_email"])
def test_erasure_takes_the_requests_search_tokens_with_its_personal_data(gateway, tokens, queued, aws, field):
    value = {"requester_name": "孙悟空", "requester_email": "wukong@example.org"}[field]
    reference = queued(**{field: value})
    token = tokens()
    assert refs(gateway, token, q=value) == [reference]
    mine = {item["pk"]["S"] for item in search_items(aws) if item["sk"]["S"] == reference}
    assert f"SEARCH#{value[:2]}" in mine or f"SEARCH#{value}" in mine

    admin = tokens(groups=ADMIN_GROUPS)
    assert (
        gateway("POST", f"/editor/api/requests/{reference}/erase", token=admin, body={"reason": "本人要求"})[0] == 200
    )
    left = {item["pk"]["S"] for item in search_items(aws) if item["sk"]["S"] == reference}
    assert not {f"SEARCH#{value[:2]}", f"SEARCH#{value}", "SEARCH#wukong"} & left
    assert refs(gateway, token, q=value) == []
    rows = aws.clients("dynamodb").query(
        TableName=aws.ref("RequestsTable"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
        ExpressionAttributeValues={":pk": {"S": f"REQ#{reference}"}, ":v": {"S": "VIEW#"}},
    )["Items"]
    assert all(value not in str(row) for row in rows)
