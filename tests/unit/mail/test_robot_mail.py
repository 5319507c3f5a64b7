"""Mail no person wrote is never answered: one rule (ParsedMail.automatic_reasons), used by production.

Two copies of this rule had drifted: the unused ``is_auto_generated`` treated ``Precedence:
auto_reply`` as automatic, the rule production used (``auto_reply_blockers``) did not, so such a
mail was answered, and two robots could answer each other.
"""

from __future__ import annotations

import pytest

from corrigo.mail import parse_mail
from corrigo.mail.decisions import auto_reply_blockers

OWN = ("lxwm@news.example.cn",)


def mail(*headers: str, sender: str = "zs@example.org"):
    head = "".join(f"{header}\r\n" for header in headers)
    return parse_mail(
        f"From: {sender}\r\nTo: lxwm@news.example.cn\r\nSubject: 更正\r\n{head}\r\n申请人：张三\r\n".encode()
    )


AUTOMATIC = [
    "Precedence: auto_reply",
    "Precedence: Auto_Reply ",
    "Precedence: bulk",
    "Precedence: junk",
    "Precedence: list",
    "Auto-Submitted: auto-replied",
    "Auto-Submitted: auto-generated; owner-email=x@example.org",
    "List-Id: <news.lists.example.org>",
    "X-Autoreply: yes",
    "X-Autorespond: yes",
    "X-Auto-Reply: yes",
]


@pytest.mark.parametrize("header", AUTOMATIC)
def test_production_never_answers_automatic_mail(header: str) -> None:
    parsed = mail(header)

    assert auto_reply_blockers(parsed, own_addresses=OWN), header
    assert parsed.is_auto_generated


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "Precedence: first-class", "X-Mailer: Foxmail"])
def test_a_person_s_mail_may_be_answered(header: str) -> None:
    parsed = mail(header)

    assert auto_reply_blockers(parsed, own_addresses=OWN) == ()
    assert not parsed.is_auto_generated


@pytest.mark.parametrize("header", [*AUTOMATIC, "Auto-Submitted: no", "X-Mailer: Foxmail"])
def test_the_two_views_are_one_rule(header: str) -> None:
    """Whatever the headers, production's reasons are the parser's (plus who sent it and SES's verdicts)."""
    parsed = mail(header)

    assert set(parsed.automatic_reasons()) <= set(auto_reply_blockers(parsed, own_addresses=OWN))
    assert parsed.is_auto_generated == bool(parsed.automatic_reasons())


def test_a_bounce_sender_is_automatic_for_both() -> None:
    parsed = mail(sender="MAILER-DAEMON@example.org")

    assert parsed.is_auto_generated
    assert "delivery report" in auto_reply_blockers(parsed, own_addresses=OWN)
