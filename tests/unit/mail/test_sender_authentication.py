"""Issue 9: when a mail's From has shown it is its sender's, from SES's verdicts alone (pure rules)."""

from __future__ import annotations

import pytest

from corrigo.mail import parse_mail
from corrigo.mail.notification import Verdicts, sender_authenticated


def mail(*headers: str, sender: str = "zs@example.org") -> object:
    head = "\r\n".join((f"From: {sender}", "To: lxwm@news.example.cn", *headers))
    return parse_mail(f"{head}\r\n\r\nhello".encode())


def verdicts(**given: str) -> Verdicts:
    return Verdicts(**{"spam": "PASS", "virus": "PASS", **given})


@pytest.mark.parametrize("dmarc", ["PASS"])
def test_dmarc_pass_authenticates_the_from_address(dmarc):
    assert sender_authenticated(verdicts(dmarc=dmarc, spf="FAIL", dkim="FAIL"), mail(), "x@elsewhere.net")


@pytest.mark.parametrize(("spf", "dkim"), [("PASS", "PASS"), ("PASS", "FAIL"), ("GRAY", "GRAY")])
def test_dmarc_fail_is_never_authentic_whatever_spf_and_dkim_say(spf, dkim):
    assert not sender_authenticated(verdicts(dmarc="FAIL", spf=spf, dkim=dkim), mail(), "zs@example.org")


def test_nothing_checked_is_not_authentic():
    assert not sender_authenticated(Verdicts(), mail(), "zs@example.org")


def test_without_dmarc_an_spf_pass_counts_when_the_envelope_domain_is_aligned():
    gray = verdicts(dmarc="GRAY", spf="PASS", dkim="GRAY")
    assert sender_authenticated(gray, mail(), "bounces@example.org")
    assert sender_authenticated(gray, mail(), "bounce@mail.example.org")  # relaxed: a subdomain
    assert not sender_authenticated(gray, mail(), "anyone@attacker.example")  # the attacker's own SPF


def test_without_dmarc_a_dkim_pass_counts_only_when_every_signature_is_aligned():
    gray = verdicts(dmarc="GRAY", spf="FAIL", dkim="PASS")
    aligned = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1; b=abc"
    foreign = "DKIM-Signature: v=1; a=rsa-sha256; d=attacker.example; s=s1; b=abc"
    assert sender_authenticated(gray, mail(aligned), "")
    assert not sender_authenticated(gray, mail(foreign), "")
    # SES does not say which signature passed: an attacker's own beside a copied one proves nothing.
    assert not sender_authenticated(gray, mail(aligned, foreign), "")
    assert not sender_authenticated(gray, mail(), "")


def test_a_mail_without_a_from_address_is_never_authentic():
    message = parse_mail(b"To: lxwm@news.example.cn\r\nSubject: x\r\n\r\nhello")
    assert not sender_authenticated(verdicts(dmarc="PASS"), message, "zs@example.org")
