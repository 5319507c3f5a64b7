"""The comments' pure core: identity, keys, schedule, lifecycle, screening, penalties, settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from corrigo.comments import identity, lifecycle
from corrigo.comments.config import CommentConfigError, settings_from
from corrigo.comments.errors import ActionNotAllowed, CommenterRestricted
from corrigo.comments.keys import article_key, canonical_url, decode_cursor, encode_cursor, public_pk, queue_order
from corrigo.comments.model import (
    ArticleSettings,
    Comment,
    Commenter,
    CommentStatus,
    Penalty,
    PenaltyLevel,
    ReasonCode,
    reason_label,
)
from corrigo.comments.penalties import check_may_comment
from corrigo.comments.schedule import QuietHours, is_open
from corrigo.comments.screen import CLEAN, SUSPECT, comment_config, screen_comment
from corrigo.screening import config_from

KEYS = identity.Keys.of("k" * 40)
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
S = CommentStatus


def comment(**changes) -> Comment:
    base = Comment(
        id="C23456789ABCD",
        article_url="https://news.example.cn/a.html",
        article_key=article_key("https://news.example.cn/a.html"),
        commenter="U0123",
        nickname="读者",
        text="好",
        status=S.PENDING,
        created_at="2026-12-01T04:00:00.000Z",
        updated_at="2026-12-01T04:00:00.000Z",
        language="zh",
        status_token_hash=identity.status_token_hash("t"),
    )
    return replace(base, **changes)


# ---- identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "8613812345678"])
def test_mainland_numbers_are_one_e164_number(raw):
    assert identity.normalise_phone(raw) == "+8613812345678"


def test_one_number_is_one_commenter_and_the_hash_needs_the_key():
    a = identity.phone_hash(KEYS, "+8613812345678")
    assert a == identity.phone_hash(KEYS, "+8613812345678")
    assert a != identity.phone_hash(identity.Keys.of("other" * 10), "+8613812345678")
    assert identity.commenter_id(a).startswith("U") and "13812345678" not in a


def test_a_token_names_its_commenter_until_it_expires_and_cannot_be_altered():
    token = identity.issue_token(KEYS, "UABC", now=1000)
    assert identity.token_commenter(KEYS, token, now=1000 + 29 * 86400) == "UABC"
    assert identity.token_commenter(KEYS, token, now=1000 + 30 * 86400) is None
    forged = token.replace("UABC", "UABD")
    assert identity.token_commenter(KEYS, forged, now=1000) is None
    assert identity.token_commenter(identity.Keys.of("x" * 40), token, now=1000) is None
    assert identity.token_commenter(KEYS, "garbage", now=1000) is None


def test_codes_are_six_digits_and_checked_against_their_keyed_hash():
    code = identity.new_code(42)
    assert code == "000042"
    stored = identity.code_hash(KEYS, "+8613812345678", code)
    assert identity.code_matches(KEYS, "+8613812345678", "000042", stored)
    assert not identity.code_matches(KEYS, "+8613812345678", "000043", stored)
    assert not identity.code_matches(KEYS, "+8613900000000", "000042", stored)


def test_a_reader_is_the_commenter_when_signed_in_else_the_address():
    assert identity.reader_key(KEYS, "U1", "1.2.3.4") == identity.reader_key(KEYS, "U1", "5.6.7.8")
    assert identity.reader_key(KEYS, None, "1.2.3.4") != identity.reader_key(KEYS, None, "5.6.7.8")


# ---- keys ----------------------------------------------------------------------------------------


def test_one_spelling_per_article():
    expected = "news.example.cn/a/b.html?id=7"
    for url in (
        "https://news.example.cn/a/b.html?id=7",
        "http://WWW.News.Example.cn/a/b.html/?id=7&utm_source=x#top",
        "https://news.example.cn/a/b.html?from=timeline&id=7",
    ):
        assert canonical_url(url) == expected
    assert article_key("https://news.example.cn/a") != article_key("https://news.example.cn/b")


def test_a_cursor_round_trips_and_only_for_its_article():
    key = article_key("https://news.example.cn/a.html")
    last = {"pk": "COMMENT#C1", "sk": "COMMENT", "public_pk": public_pk(key), "public_sk": "2026#C1"}
    cursor = encode_cursor(last)
    assert decode_cursor(cursor, key) == last
    assert decode_cursor(cursor, article_key("https://news.example.cn/b.html")) is None
    assert decode_cursor("!!!", key) is None and encode_cursor(None) is None


def test_the_pending_queue_puts_clean_comments_first_then_the_oldest():
    early_suspect = comment(priority=SUSPECT, created_at="2026-12-01T01:00:00.000Z")
    late_clean = comment(priority=CLEAN, created_at="2026-12-01T09:00:00.000Z")
    assert queue_order(late_clean) < queue_order(early_suspect)


# ---- schedule ------------------------------------------------------------------------------------


def test_quiet_hours_over_midnight_in_beijing_time():
    quiet = QuietHours.parse("23:00-07:00")
    assert quiet is not None
    at_half_past_midnight = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    assert quiet.until(at_half_past_midnight) == datetime(2026, 12, 2, 7, 0, tzinfo=quiet_tz())
    assert quiet.until(datetime(2026, 12, 1, 15, 0, tzinfo=UTC)) is not None  # 23:00 exactly
    assert quiet.until(NOW) is None  # noon
    assert QuietHours.parse("off") is None
    with pytest.raises(ValueError, match="HH:MM"):
        QuietHours.parse("25:00-07:00")


def quiet_tz():
    from corrigo.comments.schedule import BEIJING

    return BEIJING


def test_articles_are_open_unless_closed_or_past_their_days():
    assert is_open(None, NOW)
    assert not is_open(ArticleSettings("u", open=False), NOW)
    opened = (NOW - timedelta(days=3)).isoformat()
    assert not is_open(ArticleSettings("u", close_after_days=2, opened_at=opened), NOW)
    assert is_open(ArticleSettings("u", close_after_days=4, opened_at=opened), NOW)


# ---- lifecycle -----------------------------------------------------------------------------------


def test_approve_and_reject_leave_audit_events_with_actor_and_reason():
    approved, event = lifecycle.approve(comment(), "ed@x", "2026-12-01T05:00:00.000Z")
    assert approved.status is S.APPROVED and approved.visible and approved.version == 2
    assert (event.actor, event.status_before, event.status_after) == ("ed@x", "pending", "approved")
    rejected, event = lifecycle.reject(approved, "ed@x", ReasonCode.ABUSE, "2026-12-01T06:00:00.000Z", "粗口")
    assert rejected.status is S.REJECTED and not rejected.visible
    assert (event.reason, event.detail) == ("abuse", {"note": "粗口"})


def test_reports_keep_a_comment_visible_until_the_threshold():
    shown = replace(comment(), status=S.APPROVED)
    for count in (1, 2):
        moved = lifecycle.report(shown, f"r{count}", "spam", 3, "now")
        assert moved is not None
        shown = moved[0]
        assert shown.status is S.REPORTED and shown.visible and shown.report_count == count
    moved = lifecycle.report(shown, "r3", "spam", 3, "now")
    assert moved is not None and not moved[0].visible and moved[0].hidden
    assert lifecycle.report(comment(), "r", "spam", 3, "now") is None  # pending: nothing readers can see


def test_an_appeal_is_for_a_rejected_comment_once():
    rejected = replace(comment(), status=S.REJECTED, reason_code="abuse")
    appealed, _ = lifecycle.appeal(rejected, "请复核", "now")
    assert appealed.status is S.APPEALED
    with pytest.raises(ActionNotAllowed):
        lifecycle.appeal(appealed, "again", "later")
    with pytest.raises(ActionNotAllowed):
        lifecycle.appeal(replace(appealed, status=S.REJECTED), "after a second rejection", "later")
    with pytest.raises(ActionNotAllowed):
        lifecycle.approve(replace(comment(), status=S.REJECTED), "ed", "now")


# ---- screening and penalties ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("代·开·发·票", ReasonCode.BANNED_WORDS),
        ("看 www.spam.example.com", ReasonCode.LINKS),
        ("刷屏刷屏刷屏刷屏刷屏\n" * 40, ReasonCode.FLOOD),
        ("文章写得清楚，谢谢。", None),
    ],
)
def test_screening_rejects_banned_words_links_and_floods(text, reason):
    assert screen_comment("读者", text, comment_config(config_from({}))).reject == reason


def test_penalties_mute_until_a_time_ban_for_good_and_warn_only_marks():
    since = NOW.isoformat()
    muted = Commenter(
        "U1", "5678", since, Penalty(PenaltyLevel.MUTE, "刷屏", since, (NOW + timedelta(hours=1)).isoformat())
    )
    with pytest.raises(CommenterRestricted) as refused:
        check_may_comment(muted, NOW)
    assert refused.value.level == "mute"
    assert check_may_comment(muted, NOW + timedelta(hours=2)) is False  # served
    with pytest.raises(CommenterRestricted):
        check_may_comment(replace(muted, penalty=Penalty(PenaltyLevel.BAN, "违法", since)), NOW)
    assert check_may_comment(replace(muted, penalty=Penalty(PenaltyLevel.WARN, "提醒", since)), NOW) is True


def test_reasons_are_words_in_both_languages():
    assert reason_label("links", "zh") == "评论中不能包含链接"
    assert reason_label("links", "en") == "Comments may not contain links"
    assert reason_label("unknown", "zh") == reason_label("other", "zh")


# ---- settings ------------------------------------------------------------------------------------

ENV = {
    "SITE_DOMAINS": "news.example.cn",
    "PUBLIC_BASE_URL": "https://c.news.example.cn",
    "TABLE_NAME": "requests",
    "OUTBOX_TABLE_NAME": "outbox",
    "RATE_LIMIT_TABLE_NAME": "rates",
    "COMMENTS_TABLE_NAME": "comments",
}


def test_settings_and_their_refusals():
    settings = settings_from({**ENV, "COMMENTER_HASH_KEY": "s" * 32, "COMMENT_QUIET_HOURS": "23:00-07:00"})
    assert settings.keys is not None and settings.secure_cookie and settings.quiet_hours is not None
    assert settings.report_threshold == 3
    with pytest.raises(CommentConfigError, match="COMMENTER_HASH_KEY"):
        settings_from({**ENV, "COMMENTER_HASH_KEY": "short"})
    with pytest.raises(CommentConfigError, match="COMMENT_AUDIT_RETENTION_DAYS"):
        settings_from({**ENV, "COMMENT_AUDIT_RETENTION_DAYS": "90"})
    with pytest.raises(CommentConfigError, match="COMMENT_RATE_LIMITS"):
        settings_from({**ENV, "COMMENT_RATE_LIMITS": "email=1/60"})


def test_without_a_key_in_aws_comments_are_off_and_elsewhere_a_development_key_stands_in():
    in_lambda = settings_from({**ENV, "AWS_LAMBDA_FUNCTION_NAME": "f"})
    assert in_lambda.keys is None
    assert settings_from(ENV).keys is not None
