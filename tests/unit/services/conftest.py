"""The services on in-memory fakes: a fixed clock, numbered message ids, a request in any status."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from corrigo.config import Settings, settings_from
from corrigo.intake import new_request
from corrigo.lifecycle import Status
from corrigo.model import CorrectionRequest
from corrigo.schema import schema_dir
from tests.support.fakes import FakeStore, Ids

START = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Beijing


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ids() -> Ids:
    return Ids()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def settings() -> Settings:
    env = {
        "SITE_DOMAINS": "news.example.cn",
        "PUBLIC_BASE_URL": "https://corrigo.test",
        "TABLE_NAME": "requests",
        "OUTBOX_TABLE_NAME": "outbox",
        "RATE_LIMITS": "email=2/3600",
    }
    return settings_from(env, reads=("RATE_LIMITS",))


@pytest.fixture
def valid_fields() -> dict[str, Any]:
    return dict(json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8")))


@pytest.fixture
def stored(store: FakeStore, settings: Settings, clock: Clock, valid_fields: dict[str, Any]):
    """Put a web request in ``status`` (with ``changes``) straight into the store."""

    def put(status: Status = Status.QUEUED, **changes: Any) -> CorrectionRequest:
        new = new_request(valid_fields, channel="web", now=clock(), deadlines=settings.deadlines)
        request = replace(new.request, status=status, **changes)
        return store.add(request, new.event)

    return put
