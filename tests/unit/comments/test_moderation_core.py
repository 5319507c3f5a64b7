"""The moderators' rules (corrigo.comments.moderation), the author's outcome mail, and the API's body checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corrigo.comments.mail import compose_outcome
from corrigo.comments.model import Comment, CommentStatus, PenaltyLevel
from corrigo.comments.moderation import (
    CLAIM_SECONDS,
    COUNTER_SHARDS,
    counter_shard,
    new_claim,
    penalty,
    sum_counts,
)
from corrigo.notifications import MailContext
from handlers import comment_moderation_body as bodies
from handlers.problems import InvalidBody

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_claim_blocks_other_moderators_until_it_lapses():
    claim = new_claim("C123456789ABC", "a@news.example.cn", "A", 1000)
    assert claim.until == 1000 + CLAIM_SECONDS
    assert not claim.blocks("a@news.example.cn", 1001)
    assert claim.blocks("b@news.example.cn", 1001)
    assert not claim.blocks("b@news.example.cn", 1000 + CLAIM_SECONDS)


def test_penalties_last_their_days_or_until_lifted():
    mute = penalty(PenaltyLevel.MUTE, "刷屏", NOW, 3)
    assert (mute.since, mute.until) == ("2026-12-01T08:00:00.000Z", "2026-12-04T08:00:00.000Z")
    assert penalty(PenaltyLevel.BAN, "违法", NOW, None).until is None


def test_counts_sum_the_shards_and_a_comment_keeps_its_shard():
    assert counter_shard("C123456789ABC") == counter_shard("C123456789ABC")
    assert len({counter_shard(f"C{n:012d}") for n in range(500)}) == COUNTER_SHARDS
    counts = sum_counts([{"pending": 3, "approved": 1}, {"pending": -1, "rejected": 2}])
    assert counts == {"pending": 2, "approved": 1, "rejected": 2, "reported": 0, "appealed": 0}


def _comment(**changes):
    base = dict(
        id="C123456789ABC",
        article_url="https://news.example.cn/a.html",
        article_key="k",
        commenter="m",
        nickname="读者",
        text="<b>粗体</b>",
        status=CommentStatus.REJECTED,
        created_at="2026-12-01T08:00:00.000Z",
        updated_at="2026-12-01T09:00:00.000Z",
        language="zh",
        status_token_hash="h",
        reason_code="abuse",
        email="reader@example.com",
    )
    return Comment(**{**base, **changes})


def test_the_outcome_mail_names_the_reason_in_words_and_keeps_text_plain():
    rendered = []

    def render(name, **context):
        rendered.append(name)
        return f"Subject: {context['status_label']}\n{context['reason']}\n{context['excerpt']}"

    context = MailContext("noreply@news.example.cn", "lxwm@news.example.cn", "https://c.example", render)
    mail = compose_outcome(_comment(), context, now=NOW, unique="ab12")
    assert rendered == ["comment_decided.zh.txt"]
    assert mail["To"] == "reader@example.com" and mail["Subject"] == "未通过"
    assert "辱骂" in mail.get_content() and "<b>粗体</b>" in mail.get_content()
    approved = compose_outcome(_comment(status=CommentStatus.APPROVED, language="en"), context, now=NOW, unique="x")
    assert approved["Subject"] == "Published" and rendered[-1] == "comment_decided.en.txt"


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ('{"ids": [], "action": "approve"}', ["ids"]),
        ('{"ids": ["C1"], "action": "delete"}', ["action"]),
        ('{"ids": ["C1"], "action": "reject"}', ["reason_code"]),
        ("[1]", ["body"]),
    ],
)
def test_bulk_bodies_name_each_bad_field(raw, fields):
    with pytest.raises(InvalidBody) as caught:
        bodies.bulk(raw)
    assert [name for name, _ in caught.value.problems] == fields


def test_penalty_and_settings_bodies():
    with pytest.raises(InvalidBody) as caught:
        bodies.penalty_order('{"level": "mute", "days": 0, "reason": ""}')
    assert [name for name, _ in caught.value.problems] == ["days", "reason"]
    order = bodies.penalty_order('{"level": "ban", "reason": "违法"}')
    assert (order.level, order.days) == (PenaltyLevel.BAN, None)
    settings = bodies.settings_order('{"article_url": "https://news.example.cn/a", "open": true}', lambda u: True)
    assert settings.open and settings.close_after_days is None


def test_a_new_comment_is_written_again_when_only_another_transaction_was_in_the_way():
    from botocore.exceptions import ClientError

    from adapters.comments_table import CommentsTable
    from corrigo.comments.model import CommentEvent
    from corrigo.errors import ConcurrentChange

    def cancelled(*codes):
        reasons = [{"Code": code} for code in codes]
        error = {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": reasons}
        return ClientError(error, "TransactWriteItems")

    class Client:
        def __init__(self, failures):
            self.failures, self.calls = list(failures), 0

        def transact_write_items(self, **_):
            self.calls += 1
            if self.failures:
                raise self.failures.pop(0)

    comment = _comment(status=CommentStatus.PENDING, reason_code=None)
    event = CommentEvent(comment.id, comment.created_at, "submit", "commenter:m", None, "pending")
    client = Client([cancelled("None", "None", "TransactionConflict")])
    CommentsTable("t", dynamodb=client).create(comment, event, 0)
    assert client.calls == 2
    taken = Client([cancelled("ConditionalCheckFailed", "None", "None")])
    with pytest.raises(ConcurrentChange):
        CommentsTable("t", dynamodb=taken).create(comment, event, 0)
    assert taken.calls == 1


def test_the_outbox_consumer_hands_comment_mail_to_the_comment_mailer_and_request_mail_to_the_notifier():
    from corrigo import outbox
    from services.outbox_delivery import OutboxDelivery

    handled: list[str] = []

    class CommentMail:
        def deliver(self, message):
            handled.append(f"comment {message.reference}")
            return "comment mail sent"

    class Requests:
        def get(self, reference):
            handled.append(f"request {reference}")
            return None

    class Outbox:
        def mark(self, *_):
            return True

    delivery = OutboxDelivery(
        Outbox(), None, Requests(), None, None, None, lambda: "now", CommentMail(), frozenset({"comment_decided"})
    )
    comment_mail = outbox.email("m1", "C123456789ABC", "comment_decided", "now")
    request_mail = outbox.email("m2", "CR-2026-ABCDEF", "outcome", "now")
    assert delivery.from_stream(comment_mail, "pending").outcome == "sent"
    assert delivery.from_stream(request_mail, "pending").detail == "request gone: not sent"
    assert handled == ["comment C123456789ABC", "request CR-2026-ABCDEF"]
