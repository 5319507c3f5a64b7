"""Issue 9: the local SMTP intake reports SPF, DKIM and DMARC as PASS, as SES does for an authenticated
sender, unless the message carries `X-Corrigo-Local-Verdicts:` (any subset of spf/dkim/dmarc=fail),
which only this intake reads, and removes before the mail is stored."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from infra.local.smtp import ReceiptRule, _IntakeHandler

RULE = ReceiptRule(("lxwm@news.example.cn",), "raw-mail", "inbound/", "arn:aws:sns:us-east-1:1:mail", "rule")


class FakeAws:
    """Records what the intake stores in S3 and publishes to SNS."""

    def __init__(self) -> None:
        self.stored: list[bytes] = []
        self.published: list[dict] = []

    def __call__(self, service: str) -> object:
        if service == "s3":
            return SimpleNamespace(put_object=lambda **kw: self.stored.append(kw["Body"]))
        return SimpleNamespace(publish=lambda **kw: self.published.append(json.loads(kw["Message"])))


def receive(raw: bytes) -> tuple[bytes, dict[str, str]]:
    aws = FakeAws()
    handler = _IntakeHandler(SimpleNamespace(aws=aws), RULE)
    envelope = SimpleNamespace(mail_from="zs@example.org", rcpt_tos=["lxwm@news.example.cn"])
    handler._receive(raw, envelope)
    [stored], [notification] = aws.stored, aws.published
    receipt = notification["receipt"]
    return stored, {name: receipt[f"{name}Verdict"]["status"] for name in ("spam", "virus", "spf", "dkim", "dmarc")}


def mail(*headers: str) -> bytes:
    return "\r\n".join(("From: zs@example.org", "To: lxwm@news.example.cn", *headers, "", "hello", "")).encode()


def test_an_ordinary_mail_is_reported_authentic():
    stored, verdicts = receive(mail("Subject: hi"))

    assert verdicts == {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}
    assert stored == mail("Subject: hi")


@pytest.mark.parametrize(
    ("header", "failed"),
    [
        ("spf=fail dkim=fail dmarc=fail", {"spf", "dkim", "dmarc"}),
        ("dmarc=fail", {"dmarc"}),
        ("DKIM=FAIL; spf=fail", {"dkim", "spf"}),
    ],
)
def test_the_local_header_fails_any_subset_and_is_removed_before_storing(header, failed):
    stored, verdicts = receive(mail("Subject: hi", f"X-Corrigo-Local-Verdicts: {header}"))

    assert {name for name, status in verdicts.items() if status == "FAIL"} == failed
    passed = {"spam", "virus", "spf", "dkim", "dmarc"} - failed
    assert {name for name, status in verdicts.items() if status == "PASS"} == passed
    assert b"X-Corrigo-Local-Verdicts" not in stored and b"Subject: hi" in stored and b"hello" in stored
