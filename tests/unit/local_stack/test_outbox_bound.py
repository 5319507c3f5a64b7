"""GET /_local/outbox keeps decoded copies of the newest emails only (infra/local/outbox.py): what it
shows is the same on every read, and the copies it keeps stop growing with what was sent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local import outbox as outbox_module
from infra.local.outbox import Outbox
from infra.local.template import REGION

KEPT = 5
SENT = 8


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(outbox_module, "DESCRIBED_KEPT", KEPT)
    with mock_aws():
        client = boto3.client("ses", region_name=REGION)
        client.verify_email_identity(EmailAddress="noreply@news.example.cn")
        yield client


def send(ses: Any, number: int) -> None:
    raw = (
        f"From: noreply@news.example.cn\nTo: reader-{number}@example.com\nSubject: 受理通知 CR-2026-00000{number}\n"
        f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n您的请求已收到 {number}\n"
    )
    ses.send_raw_email(RawMessage={"Data": raw.encode("utf-8")})


class Decodes:
    def __init__(self) -> None:
        self.count = 0


@contextlib.contextmanager
def counting_decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Decodes]:
    decodes, upstream = Decodes(), outbox_module.describe_raw

    def counted(raw: str) -> dict[str, Any]:
        decodes.count += 1
        return upstream(raw)

    with monkeypatch.context() as patch:
        patch.setattr(outbox_module, "describe_raw", counted)
        yield decodes


def test_every_read_shows_every_email_and_keeps_only_the_newest_decoded(
    ses: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox(contextlib.nullcontext)
    for number in range(SENT):
        send(ses, number)

    with counting_decodes(monkeypatch) as first_decodes:
        first = outbox.emails()
    with counting_decodes(monkeypatch) as second_decodes:
        second = outbox.emails()

    assert [email["to"] for email in first] == [[f"reader-{n}@example.com"] for n in range(SENT)]
    assert first[-1]["text"] == f"您的请求已收到 {SENT - 1}\n"
    assert second == first
    assert first_decodes.count == SENT
    assert second_decodes.count == SENT - KEPT  # the newest came from what the first read kept
    assert len(outbox._described) == KEPT


def test_a_new_email_is_decoded_once_and_the_oldest_kept_one_is_let_go(
    ses: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox(contextlib.nullcontext)
    for number in range(KEPT):
        send(ses, number)
    outbox.emails()
    send(ses, KEPT)

    with counting_decodes(monkeypatch) as decodes:
        emails = outbox.emails()
    with counting_decodes(monkeypatch) as again:
        outbox.emails()

    assert len(emails) == KEPT + 1
    assert decodes.count == 1  # only the new one
    assert again.count == 1  # the oldest, let go when the new one was kept
    assert len(outbox._described) == KEPT
