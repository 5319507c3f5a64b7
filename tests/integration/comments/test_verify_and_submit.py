"""Verify a phone (code from the outbox), confirm, comment: pending, not public until approved."""

import pytest

from tests.integration.comments.conftest import ARTICLE, PHONE, body_of, code_for


def test_a_code_by_sms_then_a_token_and_a_cookie(api, outbox):
    sent = api("POST", "/commenters/verify", json_body={"phone": "+86 138-1234-5678"})
    assert sent["statusCode"] == 202

    texts = [m for m in outbox() if m["channel"] == "sms"]
    assert len(texts) == 1 and texts[0]["to"] == "+8613812345678"
    assert "验证码" in texts[0]["text"]

    confirmed = api("POST", "/commenters/verify/confirm", json_body={"phone": PHONE, "code": code_for(outbox, PHONE)})
    assert confirmed["statusCode"] == 200
    token = body_of(confirmed)["commenter_token"]
    (cookie,) = confirmed["cookies"]
    assert cookie.startswith(f"corrigo_commenter={token}")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=2592000" in cookie
    # The test stack's PublicBaseUrl is http://: a Secure cookie would never come back over it.
    assert "Secure" not in cookie


def test_the_number_is_kept_only_as_a_keyed_hash_and_its_last_four_digits(api, outbox, aws, verified):
    verified()
    items = aws.clients("dynamodb").scan(TableName=aws.ref("CommentsTable"))["Items"]
    text = str(items)
    assert "13812345678" not in text and "8613812345678" not in text
    (profile,) = [i for i in items if i["sk"]["S"] == "PROFILE"]
    assert profile["phone_last4"]["S"] == "5678"
    assert len(profile["phone_hash"]["S"]) == 64


def test_a_wrong_code_is_refused_naming_the_field(api, outbox):
    api("POST", "/commenters/verify", json_body={"phone": PHONE})
    wrong = str((int(code_for(outbox, PHONE)) + 1) % 1_000_000).zfill(6)
    answer = api("POST", "/commenters/verify/confirm", json_body={"phone": PHONE, "code": wrong})
    assert answer["statusCode"] == 400
    assert answer["headers"]["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in body_of(answer)["errors"]] == ["code"]


def test_a_code_is_spent_once(api, outbox):
    api("POST", "/commenters/verify", json_body={"phone": PHONE})
    document = {"phone": PHONE, "code": code_for(outbox, PHONE)}
    assert api("POST", "/commenters/verify/confirm", json_body=document)["statusCode"] == 200
    assert api("POST", "/commenters/verify/confirm", json_body=document)["statusCode"] == 400


def test_no_comment_without_a_verified_commenter(api, post_comment):
    answer = api("POST", "/comments", json_body={"article_url": ARTICLE, "nickname": "x", "text": "y"})
    assert answer["statusCode"] == 401
    assert body_of(answer)["status"] == 401
    forged = post_comment("v1.UABC.9999999999.forged-signature")
    assert forged["statusCode"] == 401


def test_a_comment_is_pending_and_not_listed_until_approved(api, verified, post_comment, service):
    token = verified()
    answer = post_comment(token)
    assert answer["statusCode"] == 202
    accepted = body_of(answer)
    assert accepted["status"] == "pending"
    assert accepted["status_url"].startswith(f"/comments/{accepted['id']}?token=")

    listed = api("GET", "/comments", query={"article_url": ARTICLE})
    assert body_of(listed) == {"items": [], "next_cursor": None}

    service.approve(accepted["id"], "editor@news.example.cn")
    listed = body_of(api("GET", "/comments", query={"article_url": ARTICLE}))
    (item,) = listed["items"]
    assert item["id"] == accepted["id"] and item["nickname"] == "读者小王" and item["reply_to"] is None
    assert set(item) == {"id", "nickname", "text", "created_at", "reply_to"}


def test_the_cookie_serves_as_the_token(api, verified):
    token = verified()
    document = {"article_url": ARTICLE, "nickname": "读者", "text": "好"}
    answer = api("POST", "/comments", json_body=document, cookie=f"corrigo_commenter={token}")
    assert answer["statusCode"] == 202


def test_a_browser_form_post_is_sent_on_to_the_authors_page(api, verified):
    token = verified()
    form = {"article_url": ARTICLE, "nickname": "读者", "text": "好文章"}
    answer = api("POST", "/comments", form=form, cookie=f"corrigo_commenter={token}", headers={"accept": "text/html"})
    assert answer["statusCode"] == 303
    location = answer["headers"]["Location"]
    assert location.startswith("/comments/C")
    path, _, query = location.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    page = api("GET", path, query={"token": params["token"]}, headers={"accept": "text/html"})
    assert page["statusCode"] == 200 and "审核中" in page["body"]


@pytest.mark.parametrize(
    ("language", "nickname_message", "text_message"),
    [
        ("zh", "昵称：不能超过 20 个字符（现有 21 个）", "评论内容：此项必填"),
        ("en", "Nickname must be at most 20 characters long (it has 21)", "Comment is required"),
    ],
)
def test_each_bad_field_is_named_in_the_requests_language(api, verified, language, nickname_message, text_message):
    token = verified()
    document = {"article_url": "https://elsewhere.example.com/a", "nickname": "名" * 21, "text": "  "}
    headers = {"authorization": f"Bearer {token}", "accept-language": language}
    answer = api("POST", "/comments", json_body=document, headers=headers)
    assert answer["statusCode"] == 400
    errors = {e["field"]: e["message"] for e in body_of(answer)["errors"]}
    assert set(errors) == {"article_url", "nickname", "text"}
    assert errors["nickname"] == nickname_message
    assert errors["text"] == text_message


def test_control_characters_are_refused_and_line_breaks_are_not(api, verified, post_comment):
    token = verified()
    refused = post_comment(token, text="第一行\x07响铃", nickname="读\u202e者")
    assert refused["statusCode"] == 400
    assert {e["field"] for e in body_of(refused)["errors"]} == {"nickname", "text"}
    assert post_comment(token, text="第一行\n第二行")["statusCode"] == 202


def test_a_text_over_a_thousand_characters_is_refused(verified, post_comment):
    token = verified()
    assert post_comment(token, text="字" * 1000)["statusCode"] == 202
    answer = post_comment(token, text="字" * 1001)
    assert answer["statusCode"] == 400
    assert [e["field"] for e in body_of(answer)["errors"]] == ["text"]


def test_unsupported_media_and_oversized_bodies(api, verified):
    token = verified()
    auth = {"authorization": f"Bearer {token}"}
    plain = api("POST", "/comments", headers={**auth, "content-type": "text/plain"})
    assert plain["statusCode"] == 415
    big = api("POST", "/comments", json_body={"text": "字" * 30000}, headers=auth)
    assert big["statusCode"] == 413


def test_a_reply_must_answer_a_published_comment_of_the_same_article(verified, post_comment, service):
    token = verified()
    parent = body_of(post_comment(token))["id"]
    refused = post_comment(token, reply_to=parent)  # still pending: nobody can see it to answer it
    assert refused["statusCode"] == 400
    assert [e["field"] for e in body_of(refused)["errors"]] == ["reply_to"]
    service.approve(parent, "editor@news.example.cn")
    assert post_comment(token, reply_to=parent)["statusCode"] == 202


def test_two_aws_calls_before_the_answer(api, verified, service):
    """A BatchGetItem and a TransactWriteItems (the issue allows three)."""
    token = verified()
    calls = []
    events = service.table.db.client.meta.events
    events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name), unique_id="count-calls")
    try:
        document = {"article_url": ARTICLE, "nickname": "读者", "text": "好"}
        answer = api("POST", "/comments", json_body=document, headers={"authorization": f"Bearer {token}"})
    finally:
        events.unregister("before-call.dynamodb", unique_id="count-calls")
    assert answer["statusCode"] == 202
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_a_browser_form_with_problems_comes_back_with_them_beside_the_fields(api, verified):
    token = verified()
    form = {"article_url": ARTICLE, "nickname": "", "text": "好"}
    answer = api("POST", "/comments", form=form, cookie=f"corrigo_commenter={token}", headers={"accept": "text/html"})
    assert answer["statusCode"] == 400
    page = answer["body"]
    assert "提交未成功" in page and "昵称：此项必填" in page and 'aria-invalid="true"' in page
    assert "好</textarea>" in page  # what they wrote is kept


def test_without_javascript_a_reader_verifies_comments_appeals_and_reports(api, outbox, service):
    from urllib.parse import parse_qsl, urlsplit

    html = {"accept": "text/html"}
    page = api("GET", "/articles/comments", query={"url": ARTICLE}, headers=html)["body"]
    assert "手机号码" in page and "获取验证码" in page and "评论内容" not in page

    code_page = api("POST", "/commenters/verify", form={"phone": PHONE}, query={"return": ARTICLE}, headers=html)
    assert code_page["statusCode"] == 200 and "尾号 5678" in code_page["body"]
    form = {"phone": PHONE, "code": code_for(outbox, PHONE)}
    confirmed = api("POST", "/commenters/verify/confirm", form=form, query={"return": ARTICLE}, headers=html)
    assert confirmed["statusCode"] == 303
    target = urlsplit(confirmed["headers"]["Location"])
    assert target.path == "/articles/comments" and dict(parse_qsl(target.query))["url"] == ARTICLE
    cookie = confirmed["cookies"][0].split(";")[0]

    page = api("GET", "/articles/comments", query=dict(parse_qsl(target.query)), headers=html, cookie=cookie)["body"]
    assert "评论内容" in page and "手机号码已验证" in page

    posted = api(
        "POST", "/comments", form={"article_url": ARTICLE, "nickname": "甲", "text": "好"}, headers=html, cookie=cookie
    )
    location = urlsplit(posted["headers"]["Location"])
    comment_id = location.path.rsplit("/", 1)[1]
    token = dict(parse_qsl(location.query))["token"]

    from corrigo.comments.model import ReasonCode

    service.reject(comment_id, "editor@news.example.cn", ReasonCode.OFF_TOPIC)
    appealed = api("POST", f"/comments/{comment_id}/appeal", form={"token": token, "text": "有关"}, headers=html)
    assert appealed["statusCode"] == 303
    view = api("GET", f"/comments/{comment_id}", query={"token": token}, headers=html)["body"]
    assert "申诉审核中" in view

    service.approve(comment_id, "editor@news.example.cn")
    reported = api("POST", f"/comments/{comment_id}/report", form={"reason": "spam"}, headers=html)
    assert reported["statusCode"] == 202 and "感谢举报" in reported["body"]


def test_the_number_and_the_code_never_reach_the_logs(api, outbox, service_logs):
    NUMBER = "13900765432"  # shares no eight digits with the test account's id (123456789012)
    api("POST", "/commenters/verify", json_body={"phone": NUMBER})
    code = code_for(outbox, NUMBER)
    api(
        "POST",
        "/commenters/verify/confirm",
        json_body={"phone": NUMBER, "code": "000000" if code != "000000" else "111111"},
    )
    api("POST", "/commenters/verify/confirm", json_body={"phone": NUMBER, "code": code})
    for _ in range(3):
        api("POST", "/commenters/verify", json_body={"phone": NUMBER})  # the last one is over the limit
    logged = service_logs()
    assert logged  # something was logged (the rate limit at least)
    assert NUMBER not in logged and NUMBER[-9:] not in logged and code not in logged
