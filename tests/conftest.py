"""Fixtures for every suite. Unit tests need none of these; integration tests use `aws`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.aws import TemplateStack, build_from_template
from tests.support.outbox import OutboxDrain

# Every AWS call a function makes is checked against its IAM role (infra/iam; docs/operations.md).
pytest_plugins = ["tests.support.iam_check"]

os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "CorrigoTests")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "corrigo")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[TemplateStack]:
    """In-process moto with every resource of template.yaml, and the functions' environment set."""
    from moto import mock_aws

    from infra import moto_fixes

    moto_fixes.apply()  # moto's costs that grow with the data: infra/moto_fixes
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        stack = build_from_template()
        for key, value in stack.environment.items():
            monkeypatch.setenv(key, value)
        yield stack


@pytest.fixture
def atomic_aws(aws: TemplateStack, monkeypatch: pytest.MonkeyPatch) -> TemplateStack:
    """`aws`, with each AWS call atomic, as DynamoDB's conditional writes are.

    In-process moto runs two threads' calls interleaved, so a condition can be checked by both
    before either writes; the local stack serialises its moto endpoint for the same reason.
    """
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    process = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: object) -> object:
        with lock:
            return process(self, request)  # type: ignore[arg-type]

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    return aws


@pytest.fixture
def deliver_outbox(aws: TemplateStack) -> OutboxDrain:
    """Run the outbox consumer on what the outbox holds now, as its stream and retry queue would."""
    return OutboxDrain(aws)


@pytest.fixture
def sent_mail(deliver_outbox: OutboxDrain):
    """Every message SES (moto) accepted, as parsed email messages, oldest first: what the outbox
    consumer has sent by the time of reading (it is run first)."""
    from email import message_from_bytes, policy

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    def read() -> list:
        deliver_outbox()
        backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        return [
            message_from_bytes(
                m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data, policy=policy.default
            )
            for m in backend.sent_messages
        ]

    return read


CHROMIUM = "/usr/bin/chromium"


# One Chromium for the whole session, for every suite that drives a page (tests/e2e and the embed
# script's tests): Playwright's sync API allows one running instance per thread.
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium; run it, or apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()
