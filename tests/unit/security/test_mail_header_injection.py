"""Header injection (issue 5, security): a CR/LF or a `Bcc:` in any field a requester supplied
never reaches a mail header, for every email template kind in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from corrigo.comments.mail import KIND as COMMENT_KIND
from corrigo.comments.mail import compose_outcome
from corrigo.comments.model import Comment, CommentStatus
from corrigo.intake import new_request
from corrigo.notifications import MailContext, compose
from corrigo.urgency import parse_deadlines
from web.render import render_email

EMAILS = Path(__file__).resolve().parents[3] / "functions" / "web" / "emails"
# Request mail (corrigo.notifications); a comment's decision is composed by corrigo.comments.mail, below.
KINDS = sorted({p.name.split(".")[0] for p in EMAILS.glob("*.*.txt")} - {COMMENT_KIND})
CONTEXT = MailContext("Corrigo <noreply@news.example.cn>", "lxwm@news.example.cn", "https://c.example.cn", render_email)
SENT = {"now": datetime(2026, 11, 2, tzinfo=UTC), "unique": "0123456789ab"}
PAYLOADS = [
    "x\r\nBcc: victim@evil.example",
    "x\nBcc: victim@evil.example\n\nbody",
    "x\rBcc: victim@evil.example",
    "x\u2028Bcc: victim@evil.example",
    "=?utf-8?q?x=0D=0ABcc=3A_victim=40evil.example?=",
]
EXPECTED_HEADERS = {
    "from",
    "to",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "content-language",
    "x-corrigo-reference",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}
TEXT_FIELDS = (
    "article_title",
    "article_url",
    "original_text",
    "requested_change",
    "reason",
    "requester_name",
    "requester_organization",
    "requester_phone",
)


def _request(payload: str, language: str):
    data = {
        "request_type": "correction",
        "relationship": "reader",
        "declaration": True,
        "requester_email": "zhang@example.com",
        "language": language,
        **{name: payload for name in TEXT_FIELDS},
    }
    return new_request(
        data, channel="web", now=datetime(2026, 11, 2, tzinfo=UTC), deadlines=parse_deadlines("")
    ).request


def _extra(kind: str, payload: str) -> dict:
    """What each kind's callers pass, with the payload wherever a requester's text can go."""
    return {
        "acknowledgement_linked": {"primary": "CR-2026-ABCDEF"},
        "answer_received": {
            "to": "editors@news.example.cn",
            "answer": payload,
            "channel": "web",
            "editor_url": "https://c.example.cn/editor/",
        },
        "escalation": {
            "to": "editors@news.example.cn",
            "breach_label": "decision",
            "due": "2026-11-03T00:00:00Z",
            "editor_url": "https://c.example.cn/editor/",
        },
        "incomplete": {
            "problems": [{"label_zh": payload, "label_en": payload, "problem_zh": payload, "problem_en": payload}],
            "understood": [(payload, payload, payload)],
            "form_urls": {"zh": "https://c.example.cn/?lang=zh", "en": "https://c.example.cn/?lang=en"},
            "intake_address": "lxwm@news.example.cn",
        },
        "confirm": {"confirm_url": "https://c.example.cn/requests/CR-2026-ABCDEF/confirm?token=t"},
        "outcome": {"reply": payload, "outcome_label": payload},
        "question": {"message": payload},
    }.get(kind, {})


def test_every_template_kind_is_covered():
    assert {
        "acknowledgement",
        "acknowledgement_linked",
        "answer_received",
        "escalation",
        "incomplete",
        "outcome",
        "question",
    } <= set(KINDS)
    for kind in KINDS:
        assert (EMAILS / f"{kind}.zh.txt").exists() and (EMAILS / f"{kind}.en.txt").exists()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_field_reaches_a_header(kind, language, payload):
    request = _request(payload, language)
    message = compose(request, kind, CONTEXT, **SENT, **_extra(kind, payload))
    wire = message.as_bytes()
    head, _, _ = wire.partition(b"\n\n")
    # What a mail server reads back: the same headers, one each, and no Bcc anywhere.
    parsed = message_from_bytes(wire, policy=policy.default)
    names = [name.lower() for name in parsed]
    assert set(names) <= EXPECTED_HEADERS, names
    assert len(names) == len(set(names))
    # A payload may show inside a header's value (the subject quotes the outcome), never as a header.
    assert not [line for line in head.lower().split(b"\n") if line.startswith((b"bcc", b"cc"))]
    assert b"\r" not in head.replace(b"\r\n", b"\n")
    assert parsed["To"] == _extra(kind, payload).get("to", "zhang@example.com")
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), (name, value)


@pytest.mark.parametrize(
    "address", ["zhang@example.com\r\nBcc: victim@evil.example", "a@b.example\nCc: x@evil.example"]
)
def test_a_forged_recipient_address_never_adds_a_recipient(address):
    """The address is validated at intake; should one slip through, it still cannot add a header."""
    request = _request("x", "zh")
    try:
        message = compose(request, "acknowledgement", CONTEXT, **SENT, to=address)
    except ValueError:
        return  # refused outright: nothing sent
    head = message.as_bytes().partition(b"\n\n")[0].lower()
    assert b"\nbcc:" not in head and b"\ncc:" not in head


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("status", [CommentStatus.APPROVED, CommentStatus.REJECTED])
def test_no_comment_field_reaches_a_header_of_its_decision_mail(status, language, payload):
    comment = Comment(
        id="C123456789ABC",
        article_url="https://news.example.cn/a/1.html",
        article_key="news.example.cn/a/1.html",
        commenter="K1",
        nickname=payload,
        text=payload,
        status=status,
        created_at="2026-11-02T00:00:00.000Z",
        updated_at="2026-11-02T00:00:00.000Z",
        language=language,
        status_token_hash="h",
        reason_code="banned_words" if status is CommentStatus.REJECTED else None,
        reason_note=payload,
        email="reader@example.com",
    )
    message = compose_outcome(comment, CONTEXT, **SENT)
    head = message.as_bytes().partition(b"\n\n")[0].lower()

    assert not [line for line in head.split(b"\n") if line.startswith((b"bcc", b"cc"))]
    assert message["To"] == "reader@example.com"
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), (name, value)
