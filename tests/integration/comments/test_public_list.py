"""The public list: approved only, newest first, 20 a page by one index query; HTML as text; cacheable."""

from dataclasses import replace

import pytest

from tests.integration.comments.conftest import ARTICLE, body_of

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def published(verified, post_comment, service, monkeypatch):
    """``published(n, text=…)``: n approved comments on ARTICLE, oldest first (their ids); the
    per-commenter limit, meant for people, is off."""
    monkeypatch.setattr(service, "settings", replace(service.settings, comment_limits=()))

    def publish(count: int, text: str = "第 {n} 条评论", nickname: str = "读者"):
        token = verified()
        ids = []
        for n in range(count):
            answer = post_comment(token, text=text.format(n=n), nickname=nickname)
            assert answer["statusCode"] == 202, answer["body"]
            ids.append(body_of(answer)["id"])
            service.approve(ids[-1], "editor@news.example.cn")
        return ids

    return publish


@pytest.fixture
def index_queries(service, monkeypatch):
    """Every Query the comments table makes, as (index, key condition)."""
    client = service.table.db.client
    seen = []
    real = client.query

    def counting(**kwargs):
        seen.append(kwargs.get("IndexName"))
        return real(**kwargs)

    monkeypatch.setattr(client, "query", counting)
    return seen


def test_twenty_a_page_newest_first_each_page_one_index_query(api, published, index_queries):
    ids = published(23)
    index_queries.clear()

    first = body_of(api("GET", "/comments", query={"article_url": ARTICLE}))
    assert [item["id"] for item in first["items"]] == list(reversed(ids))[:20]
    assert first["next_cursor"]
    second = body_of(api("GET", "/comments", query={"article_url": ARTICLE, "cursor": first["next_cursor"]}))
    assert [item["id"] for item in second["items"]] == list(reversed(ids))[20:]
    assert second["next_cursor"] is None
    assert index_queries == ["public", "public"]


def test_the_article_is_the_same_however_its_address_is_written(api, published):
    (comment,) = published(1)
    for spelling in (
        "https://www.news.example.cn/2026/12/01/budget.html?utm_source=weibo",
        "http://news.example.cn/2026/12/01/budget.html#comments",
    ):
        items = body_of(api("GET", "/comments", query={"article_url": spelling}))["items"]
        assert [i["id"] for i in items] == [comment]


def test_a_script_stays_text_in_the_json_the_fragment_and_the_no_js_page(api, published):
    published(1, text=SCRIPT + " 第 {n} 条", nickname="<b>坏人</b>")

    document = body_of(api("GET", "/comments", query={"article_url": ARTICLE}))
    assert document["items"][0]["text"].startswith(SCRIPT)  # JSON carries the text as written

    fragment = api("GET", "/comments", query={"article_url": ARTICLE}, headers={"accept": "text/html"})
    assert fragment["headers"]["Content-Type"].startswith("text/html")
    assert "<script>" not in fragment["body"] and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in fragment["body"]
    assert "<b>坏人</b>" not in fragment["body"] and "&lt;b&gt;坏人&lt;/b&gt;" in fragment["body"]
    assert "最新评论" in fragment["body"]

    page = api("GET", "/articles/comments", query={"url": ARTICLE}, headers={"accept": "text/html"})
    assert page["statusCode"] == 200
    assert "<script>alert" not in page["body"] and "&lt;script&gt;alert" in page["body"]


def test_times_on_the_page_are_beijing_time_and_no_raw_values_show(api, published, service):
    (comment,) = published(1)
    created = service.table.get(comment).created_at  # ISO UTC
    from web.render import beijing_time

    fragment = api("GET", "/comments", query={"article_url": ARTICLE}, headers={"accept": "text/html"})["body"]
    assert beijing_time(created) in fragment
    assert created not in fragment.replace(f'datetime="{created}"', "")
    assert "approved" not in fragment


def test_cacheable_with_an_etag_and_304_when_unchanged(api, published):
    published(1)
    first = api("GET", "/comments", query={"article_url": ARTICLE})
    headers = first["headers"]
    assert headers["Cache-Control"].startswith("public, max-age=")
    etag = headers["ETag"]
    again = api("GET", "/comments", query={"article_url": ARTICLE}, headers={"if-none-match": etag})
    assert again["statusCode"] == 304 and not again["body"]
    published(1)
    changed = api("GET", "/comments", query={"article_url": ARTICLE}, headers={"if-none-match": etag})
    assert changed["statusCode"] == 200 and changed["headers"]["ETag"] != etag


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "article_url"),
        ({"article_url": "https://elsewhere.example.com/a.html"}, "article_url"),
        ({"article_url": ARTICLE, "cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_a_bad_query_names_the_parameter(api, query, field):
    answer = api("GET", "/comments", query=query)
    assert answer["statusCode"] == 400
    assert [e["field"] for e in body_of(answer)["errors"]] == [field]


def test_a_cursor_of_another_article_is_refused(api, published):
    published(21)
    cursor = body_of(api("GET", "/comments", query={"article_url": ARTICLE}))["next_cursor"]
    other = "https://news.example.cn/2026/12/02/other.html"
    answer = api("GET", "/comments", query={"article_url": other, "cursor": cursor})
    assert answer["statusCode"] == 400


def test_without_javascript_a_reader_replies_to_a_published_comment(api, published, verified):
    from urllib.parse import parse_qsl, urlsplit

    (parent,) = published(1)
    token = verified(ip="198.51.100.20")
    html = {"accept": "text/html"}
    page = api("GET", "/articles/comments", query={"url": ARTICLE}, headers=html)["body"]
    link = next(part.split('"')[1] for part in page.split("href=")[1:] if "reply_to=" in part.split('"')[1])
    query = dict(parse_qsl(urlsplit(link.replace("&amp;", "&")).query))
    assert query["reply_to"] == parent
    form_page = api("GET", "/articles/comments", query=query, headers=html, cookie=f"corrigo_commenter={token}")
    assert f'name="reply_to" value="{parent}"' in form_page["body"] and "您正在回复一条评论" in form_page["body"]
    assert 'type="email" id="f-email" name="email"' in form_page["body"]  # optional: told the outcome by mail
    form = {"article_url": ARTICLE, "nickname": "乙", "text": "同意", "reply_to": parent, "email": ""}
    answer = api("POST", "/comments", form=form, headers=html, cookie=f"corrigo_commenter={token}")
    assert answer["statusCode"] == 303
