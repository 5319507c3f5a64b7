"""Screening rejects at once with a reason the author sees; reports from distinct readers; appeals;
closed articles; penalties; limits; quiet hours; every move audited."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.comments.conftest import ARTICLE, PHONE, body_of

EDITOR = "editor@news.example.cn"


def _author_page(api, status_url: str, language: str = "zh") -> str:
    path, _, query = status_url.partition("?")
    token = query.removeprefix("token=")
    page = api("GET", path, query={"token": token, "lang": language}, headers={"accept": "text/html"})
    assert page["statusCode"] == 200
    return page["body"]


def test_a_banned_word_is_rejected_at_once_with_its_reason_on_the_authors_page(api, verified, post_comment, aws):
    token = verified()
    answer = body_of(post_comment(token, text="代开發票，价格优惠"))  # folded: traditional 發 is 发
    assert answer["status"] == "rejected"

    page = _author_page(api, answer["status_url"])
    assert "未通过" in page and "含有违禁词语" in page
    assert "banned_words" not in page and "rejected" not in page  # words, not enum values
    assert "申诉" in page  # the appeal form
    english = _author_page(api, answer["status_url"], "en")
    assert "Not published" in english and "prohibited words" in english

    # The decision's outbox message went in the comment's own transaction.
    outbox = aws.clients("dynamodb").scan(TableName=aws.ref("OutboxTable"))["Items"]
    assert [(m["kind"]["S"], m["reference"]["S"]) for m in outbox] == [("CommentDecided", answer["id"])]
    assert body_of(api("GET", "/comments", query={"article_url": ARTICLE}))["items"] == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("详情见 https://spam.example.com/x", "评论中不能包含链接"),
        ("顶顶顶顶顶顶顶顶顶顶顶顶\n" * 30, "重复或刷屏内容"),
    ],
)
def test_links_and_floods_are_rejected_with_their_reason(api, verified, post_comment, text, reason):
    answer = body_of(post_comment(verified(), text=text))
    assert answer["status"] == "rejected"
    assert reason in _author_page(api, answer["status_url"])


def test_screening_never_publishes_it_orders_the_pending_queue(verified, post_comment, service):
    token = verified()
    clean = body_of(post_comment(token, text="写得好"))["id"]
    suspect = body_of(post_comment(token, text="你这个傻逼记者，胡说八道"))["id"]
    assert service.table.get(clean).status.value == "pending"
    assert service.table.get(suspect).status.value == "pending"
    assert service.table.get(clean).priority <= service.table.get(suspect).priority


def test_three_distinct_readers_hide_an_approved_comment_until_a_decision(api, verified, post_comment, service):
    comment = body_of(post_comment(verified()))["id"]
    service.approve(comment, EDITOR)

    def listed():
        return [i["id"] for i in body_of(api("GET", "/comments", query={"article_url": ARTICLE}))["items"]]

    def report(ip):
        return api("POST", f"/comments/{comment}/report", json_body={"reason": "abuse"}, ip=ip)

    assert report("192.0.2.1")["statusCode"] == 202
    assert service.table.get(comment).status.value == "reported"
    assert listed() == [comment]  # a report is a signal, not a verdict
    assert report("192.0.2.1")["statusCode"] == 202  # the same reader again: not counted twice
    assert report("192.0.2.2")["statusCode"] == 202
    assert listed() == [comment]
    assert service.table.get(comment).report_count == 2
    assert report("192.0.2.3")["statusCode"] == 202
    assert listed() == []
    assert service.table.get(comment).hidden

    service.approve(comment, EDITOR)  # the moderator keeps it: visible again
    assert listed() == [comment]


def test_a_report_needs_a_reason_from_the_list(api, verified, post_comment, service):
    comment = body_of(post_comment(verified()))["id"]
    service.approve(comment, EDITOR)
    answer = api("POST", f"/comments/{comment}/report", json_body={"reason": "dislike"})
    assert answer["statusCode"] == 400
    assert [e["field"] for e in body_of(answer)["errors"]] == ["reason"]
    assert api("POST", "/comments/C222222222222/report", json_body={"reason": "spam"})["statusCode"] == 404


def test_an_author_appeals_a_rejection_once(api, verified, post_comment, service):
    from corrigo.comments.model import ReasonCode

    answer = body_of(post_comment(verified()))
    service.reject(answer["id"], EDITOR, ReasonCode.OFF_TOPIC)
    token = answer["status_url"].partition("token=")[2]
    path = f"/comments/{answer['id']}/appeal"

    appealed = api("POST", path, json_body={"text": "我的评论与文章有关"}, query={"token": token})
    assert appealed["statusCode"] == 202 and body_of(appealed)["status"] == "appealed"
    again = api("POST", path, json_body={"text": "再申诉一次"}, query={"token": token})
    assert again["statusCode"] == 409
    wrong = api("POST", path, json_body={"text": "x"}, query={"token": "not-the-token"})
    assert wrong["statusCode"] == 404
    assert "申诉审核中" in _author_page(api, answer["status_url"])


def test_every_move_is_audited_with_actor_reason_and_time(api, verified, post_comment, service, aws):
    from corrigo.comments.model import ReasonCode

    comment = body_of(post_comment(verified()))["id"]
    service.reject(comment, EDITOR, ReasonCode.ABUSE, note="人身攻击")
    events = service.history(comment)
    assert [(e.action, e.status_before, e.status_after) for e in events] == [
        ("submit", None, "pending"),
        ("reject", "pending", "rejected"),
    ]
    assert events[0].actor.startswith("commenter:U") and events[1].actor == EDITOR
    assert events[1].reason == "abuse" and events[1].detail == {"note": "人身攻击"}
    items = aws.clients("dynamodb").scan(TableName=aws.ref("CommentsTable"))["Items"]
    for item in (i for i in items if i["sk"]["S"].startswith("EVENT#")):
        kept_days = (int(item["expiration"]["N"]) - datetime.now(UTC).timestamp()) / 86400
        assert kept_days >= 180


def test_a_closed_article_takes_no_comments(verified, post_comment, service):
    from corrigo.comments.model import ArticleSettings

    token = verified()
    service.set_article(ArticleSettings(ARTICLE, open=False), EDITOR)
    answer = post_comment(token)
    assert answer["statusCode"] == 403
    assert body_of(answer)["title"] == "这篇稿件的评论已关闭"

    service.set_article(ArticleSettings(ARTICLE, open=True, close_after_days=2), EDITOR)
    assert post_comment(token)["statusCode"] == 202
    opened = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    service.set_article(ArticleSettings(ARTICLE, open=True, close_after_days=2, opened_at=opened), EDITOR)
    assert post_comment(token)["statusCode"] == 403


def test_muted_and_banned_commenters_are_refused_warned_ones_are_not(verified, post_comment, service):
    from corrigo.comments import identity
    from corrigo.comments.model import Penalty, PenaltyLevel

    token = verified()
    commenter = identity.token_commenter(service.keys, token, datetime.now(UTC).timestamp())
    now = datetime.now(UTC)
    until = (now + timedelta(days=1)).isoformat()

    service.table.set_penalty(commenter, Penalty(PenaltyLevel.MUTE, "刷屏", now.isoformat(), until))
    muted = post_comment(token)
    assert muted["statusCode"] == 403 and "禁言" in body_of(muted)["title"]
    service.table.set_penalty(commenter, Penalty(PenaltyLevel.BAN, "违法", now.isoformat()))
    assert post_comment(token)["statusCode"] == 403
    service.table.set_penalty(commenter, Penalty(PenaltyLevel.WARN, "提醒", now.isoformat()))
    warned = body_of(post_comment(token))
    assert service.table.get(warned["id"]).screening["commenter_warned"] is True
    # The penalty follows the number: verifying it again does not lift it.
    service.table.set_penalty(commenter, Penalty(PenaltyLevel.BAN, "违法", now.isoformat()))
    assert post_comment(verified(PHONE, ip="198.51.100.9"))["statusCode"] == 403


def test_comments_over_the_limit_get_429_with_retry_after(verified, post_comment, service, monkeypatch):
    from corrigo.comments.config import COMMENT_SCOPES
    from corrigo.ratelimit import parse_limits

    token = verified()
    monkeypatch.setattr(
        service, "settings", replace(service.settings, comment_limits=parse_limits("commenter=2/600", COMMENT_SCOPES))
    )
    assert post_comment(token)["statusCode"] == 202
    assert post_comment(token)["statusCode"] == 202
    refused = post_comment(token)
    assert refused["statusCode"] == 429
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 600


def test_codes_over_the_limit_per_number_get_429(api):
    answers = [api("POST", "/commenters/verify", json_body={"phone": PHONE})["statusCode"] for _ in range(4)]
    assert answers == [202, 202, 202, 429]  # CommenterVerifyRateLimits: phone=3/3600


def test_in_quiet_hours_a_comment_waits_and_says_so(api, verified, post_comment, service, monkeypatch):
    from corrigo.comments.schedule import QuietHours

    token = verified()
    night = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 in Beijing
    monkeypatch.setattr(service, "settings", replace(service.settings, quiet_hours=QuietHours.parse("23:00-07:00")))
    monkeypatch.setattr(service, "clock", lambda: night)
    answer = post_comment(token)
    assert answer["statusCode"] == 202, answer["body"]
    accepted = body_of(answer)
    assert accepted["status"] == "pending" and "07:00" in accepted["notice"]
    assert "2026-12-02 07:00" in _author_page(api, accepted["status_url"])


def test_concurrent_reports_from_distinct_readers_are_each_counted(atomic_aws, verified, post_comment, service):
    from concurrent.futures import ThreadPoolExecutor

    comment = body_of(post_comment(verified()))["id"]
    service.approve(comment, EDITOR)
    addresses = [f"192.0.2.{n}" for n in range(1, 5)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda ip: service.report(comment, {"reason": "spam"}, None, ip, "zh"), addresses))
    reported = service.table.get(comment)
    assert reported.report_count == 4 and reported.hidden
    assert [e.action for e in service.history(comment)].count("report") == 4
