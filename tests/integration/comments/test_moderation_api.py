"""The moderators' comment API (CommentModerationFunction) behind the template's routes and EditorsJwt
authorizer, on in-process moto: queues, counts, claims, decisions, bulk, penalties, settings, audit."""

# The editors' token and gateway fixtures are imported from their package, so fixture arguments
# shadow the imported names by design:
# ruff: noqa: F811

from __future__ import annotations

import pytest

from tests.integration.comments.conftest import ARTICLE, body_of
from tests.integration.editor.conftest import (  # noqa: F401 (fixtures)
    EDITOR,
    OTHER_EDITOR,
    gateway,
    jwks,
    routes,
    signing_key,
    tokens,
)

OTHER_ARTICLE = "https://news.example.cn/2026/12/02/weather.html"


@pytest.fixture
def moderator(gateway, tokens):
    """``moderator(method, path, body=…, query=…, who=EDITOR)`` → (status, json)."""

    def call(method, path, *, body=None, query=None, who=EDITOR):
        status, _headers, answer = gateway(method, path, token=tokens(who), body=body, query=query)
        return status, answer

    return call


@pytest.fixture
def pending(verified, post_comment):
    """``pending(text=…, article=…)`` → the id of a new pending comment by one verified commenter."""
    token = verified()

    def make(text="写得很好，数据清楚。", article=ARTICLE, **extra):
        answer = post_comment(token, text=text, article=article, **extra)
        assert answer["statusCode"] == 202, answer["body"]
        return body_of(answer)["id"]

    return make


def test_without_a_token_or_outside_editors_the_api_refuses(gateway, tokens):
    assert gateway("GET", "/editor/api/comments")[0] == 401
    status, _, answer = gateway("GET", "/editor/api/comments", token=tokens(groups=("readers",)))
    assert status == 403
    assert answer["errors"][0]["field"] == ""


def test_pending_queue_lists_new_comments_and_counts_them(moderator, pending):
    first, second = pending("第一条"), pending("第二条")
    status, page = moderator("GET", "/editor/api/comments", query={"status": "pending"})
    assert status == 200
    assert [row["id"] for row in page["items"]] == [first, second]  # oldest first
    assert page["counts"]["pending"] == 2
    assert page["counts"]["approved"] == 0


def test_approve_publishes_updates_counts_and_audits_the_editor(moderator, pending, api):
    comment = pending()
    status, answer = moderator("POST", f"/editor/api/comments/{comment}/approve")
    assert (status, answer["status"]) == (200, "approved")
    listed = body_of(api("GET", "/comments", query={"article_url": ARTICLE}))
    assert [item["id"] for item in listed["items"]] == [comment]
    _, page = moderator("GET", "/editor/api/comments", query={"status": "approved"})
    assert page["counts"]["pending"] == 0 and page["counts"]["approved"] == 1
    _, detail = moderator("GET", f"/editor/api/comments/{comment}")
    approve = [e for e in detail["events"] if e["action"] == "approve"]
    assert approve and approve[0]["actor"] == EDITOR and approve[0]["at"]


def test_reject_needs_a_known_reason_code(moderator, pending, api):
    comment = pending()
    status, problem = moderator("POST", f"/editor/api/comments/{comment}/reject", body={"reason_code": "rude"})
    assert status == 400
    assert [e["field"] for e in problem["errors"]] == ["reason_code"]
    status, answer = moderator(
        "POST", f"/editor/api/comments/{comment}/reject", body={"reason_code": "abuse", "note": "请文明发言"}
    )
    assert (status, answer["status"]) == (200, "rejected")
    _, detail = moderator("GET", f"/editor/api/comments/{comment}")
    reject = next(e for e in detail["events"] if e["action"] == "reject")
    assert (reject["actor"], reject["reason"], reject["detail"]["note"]) == (EDITOR, "abuse", "请文明发言")


def test_a_claim_holds_off_other_moderators_only(moderator, pending):
    comment = pending()
    status, claimed = moderator("POST", f"/editor/api/comments/{comment}/claim")
    assert status == 200 and claimed["claim"]["holder"] == EDITOR
    status, problem = moderator("POST", f"/editor/api/comments/{comment}/claim", who=OTHER_EDITOR)
    assert status == 409 and problem["holder"] == EDITOR
    status, problem = moderator("POST", f"/editor/api/comments/{comment}/approve", who=OTHER_EDITOR)
    assert status == 409
    # The holder decides without asking again, and the decision releases the claim.
    assert moderator("POST", f"/editor/api/comments/{comment}/approve")[0] == 200
    _, detail = moderator("GET", f"/editor/api/comments/{comment}", who=OTHER_EDITOR)
    assert detail["claim"] is None


def test_deciding_needs_no_claim(moderator, pending):
    assert moderator("POST", f"/editor/api/comments/{pending()}/approve", who=OTHER_EDITOR)[0] == 200


def test_bulk_decides_each_and_reports_each(moderator, pending):
    first, second = pending("一"), pending("二")
    moderator("POST", f"/editor/api/comments/{second}/claim", who=OTHER_EDITOR)
    status, answer = moderator(
        "POST",
        "/editor/api/comments/bulk",
        body={"ids": [first, second, "CNOSUCHCOMMEN"], "action": "reject", "reason_code": "spam"},
    )
    assert status == 200
    outcome = {r["id"]: r for r in answer["results"]}
    assert outcome[first]["ok"] and outcome[first]["status"] == "rejected"
    assert outcome[second]["error"] == "claimed"
    assert outcome["CNOSUCHCOMMEN"]["error"] == "not_found"
    status, problem = moderator("POST", "/editor/api/comments/bulk", body={"ids": [first], "action": "reject"})
    assert status == 400 and [e["field"] for e in problem["errors"]] == ["reason_code"]


def test_queue_by_article_and_by_commenter(moderator, pending):
    here, there = pending(article=ARTICLE), pending(article=OTHER_ARTICLE)
    _, page = moderator("GET", "/editor/api/comments", query={"status": "pending", "article_url": OTHER_ARTICLE})
    assert [row["id"] for row in page["items"]] == [there]
    _, detail = moderator("GET", f"/editor/api/comments/{here}")
    commenter = detail["commenter"]["id"]
    assert [row["id"] for row in detail["commenter"]["history"]] == [there]
    _, page = moderator("GET", "/editor/api/comments", query={"status": "pending", "commenter": commenter})
    assert {row["id"] for row in page["items"]} == {here, there}
    status, problem = moderator("GET", "/editor/api/comments", query={"status": "spam"})
    assert status == 400 and problem["errors"][0]["field"] == "status"


def test_a_mute_stops_the_commenter_and_is_audited(moderator, pending, post_comment, verified):
    comment = pending()
    _, detail = moderator("GET", f"/editor/api/comments/{comment}")
    commenter = detail["commenter"]["id"]
    status, problem = moderator("POST", f"/editor/api/commenters/{commenter}/penalty", body={"level": "mute"})
    assert status == 400 and [e["field"] for e in problem["errors"]] == ["reason"]
    status, answer = moderator(
        "POST", f"/editor/api/commenters/{commenter}/penalty", body={"level": "mute", "days": 3, "reason": "刷屏"}
    )
    assert status == 200 and answer["penalty"]["level"] == "mute" and answer["penalty"]["until"]
    refused = post_comment(verified())
    assert refused["statusCode"] == 403
    _, detail = moderator("GET", f"/editor/api/comments/{comment}")
    assert detail["commenter"]["penalty"]["level"] == "mute"
    assert detail["commenter"]["events"][0]["actor"] == EDITOR
    assert moderator("POST", "/editor/api/commenters/CNOBODY/penalty", body={"level": "ban", "reason": "x"})[0] == 404


def test_closing_an_article_answers_settings_and_quiet_hours(moderator, verified, post_comment):
    status, answer = moderator(
        "PUT", "/editor/api/comment-settings", body={"article_url": ARTICLE, "open": False, "close_after_days": 7}
    )
    assert status == 200
    assert (answer["open"], answer["close_after_days"]) == (False, 7)
    assert "quiet_hours" in answer
    assert post_comment(verified())["statusCode"] == 403
    status, problem = moderator("PUT", "/editor/api/comment-settings", body={"article_url": "https://evil.example/x"})
    assert status == 400
    assert {e["field"] for e in problem["errors"]} == {"article_url", "open"}


def test_a_decision_puts_its_event_and_the_authors_mail_in_the_outbox(moderator, pending, aws):
    comment = pending(email="reader@example.com")
    moderator("POST", f"/editor/api/comments/{comment}/reject", body={"reason_code": "off_topic"})
    client = aws.clients("dynamodb")
    table = aws.ref("OutboxTable")
    items = client.scan(TableName=table)["Items"]
    kinds = {(i["channel"]["S"], i["kind"]["S"]) for i in items if i["reference"]["S"] == comment}
    assert ("email", "comment_decided") in kinds
    assert ("event", "CommentDecided") in kinds


def test_the_author_who_gave_an_address_is_mailed_the_outcome_once(moderator, pending, sent_mail):
    comment = pending(email="reader@example.com", text="这条评论<script>alert(1)</script>")
    without = pending()
    moderator("POST", f"/editor/api/comments/{comment}/reject", body={"reason_code": "off_topic", "note": "请围绕稿件"})
    moderator("POST", f"/editor/api/comments/{without}/approve")
    mails = [m for m in sent_mail() if m["X-Corrigo-Comment"]]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == "reader@example.com"
    assert "未通过" in mail["Subject"]
    text = mail.get_content()
    assert "与文章内容无关" in text and "请围绕稿件" in text
    assert "<script>alert(1)</script>" in text  # plain text mail: quoted as typed, never markup
    assert len([m for m in sent_mail() if m["X-Corrigo-Comment"]]) == 1  # delivering again sends nothing
