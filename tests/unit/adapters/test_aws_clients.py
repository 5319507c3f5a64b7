"""adapters.aws: one boto3 Session per process, and one client per service, even under threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from adapters import aws


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The module as a new execution environment finds it; returns every Session it makes."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setattr(aws, "_clients", {})
    aws._session.cache_clear()
    made: list[Any] = []
    real_session = boto3.session.Session

    def counting_session(*args: Any, **kwargs: Any) -> Any:
        made.append(real_session(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(boto3.session, "Session", counting_session)
    yield made
    aws._session.cache_clear()


def test_every_client_comes_from_one_session(fresh_process):
    dynamodb, sqs, s3 = aws.client("dynamodb"), aws.client("sqs"), aws.client("s3")

    assert len(fresh_process) == 1
    assert {dynamodb.meta.service_model.service_name, sqs.meta.service_model.service_name} == {"dynamodb", "sqs"}
    assert aws.client("s3") is s3


def test_threads_asking_at_once_share_one_session_and_one_client_per_service(fresh_process):
    start = threading.Barrier(8)
    got: list[Any] = []

    def ask(service: str) -> None:
        start.wait()
        got.append((service, aws.client(service)))

    threads = [threading.Thread(target=ask, args=(("sqs", "sesv2")[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fresh_process) == 1
    assert len({id(c) for s, c in got if s == "sqs"}) == 1
    assert len({id(c) for s, c in got if s == "sesv2"}) == 1
