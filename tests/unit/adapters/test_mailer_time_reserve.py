"""adapters.mailer starts a send only when SES's longest answer would still leave the invocation time to
record it, and says when a send's fate is unknown."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from adapters.mailer import RECORD_RESERVE_MS, SEND_LIMITS, Mailer
from corrigo.errors import OutOfTime


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.sent.append(kwargs)
        return {"MessageId": f"m-{len(self.sent)}"}


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "corrigo@news.example.cn"
    mail["To"] = "reader@example.com"
    mail.set_content("已收到")
    return mail


def invocation(left_ms: int) -> SimpleNamespace:
    return SimpleNamespace(get_remaining_time_in_millis=lambda: left_ms)


def test_a_send_needs_ses_longest_answer_and_the_reserve() -> None:
    assert Mailer().needs_ms == SEND_LIMITS.longest_ms + RECORD_RESERVE_MS == 8_000


def test_with_enough_left_the_mail_is_sent() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(invocation(mailer.needs_ms))
    assert mailer.send(message()) == "m-1"


def test_with_less_left_nothing_reaches_ses() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(invocation(mailer.needs_ms - 1))
    with pytest.raises(OutOfTime, match=f"{mailer.needs_ms - 1} ms left"):
        mailer.send(message())
    assert ses.sent == []


def test_the_send_client_tries_once_within_its_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's own retry of a send whose answer was lost would send it again: it is not made."""
    from adapters import aws
    from adapters.mailer import ses_client

    monkeypatch.setattr(aws, "_clients", {})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    config = ses_client().meta.config
    assert config.retries["total_max_attempts"] == SEND_LIMITS.attempts == 1
    assert (config.connect_timeout, config.read_timeout) == (SEND_LIMITS.connect_seconds, SEND_LIMITS.read_seconds)


def test_outside_lambda_there_is_no_deadline() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(None)
    assert mailer.send(message()) == "m-1"


def test_a_send_ses_never_answered_is_logged_as_maybe_sent(service_logs: Any) -> None:
    """A SendEmail that reached the endpoint and got no answer: botocore retries it, and each try
    may have been sent. The log says so, once per try (this endpoint reads and never answers)."""
    import socket
    import threading

    import boto3
    from botocore.config import Config

    from adapters.mailer import watch_unanswered_sends

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    ses = boto3.client(
        "sesv2",
        endpoint_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=0.3, connect_timeout=1, retries={"mode": "standard", "max_attempts": 2}),
    )
    watch_unanswered_sends(ses)
    try:
        with pytest.raises(ReadTimeoutError):
            Mailer(ses=ses).ses.send_email(
                FromEmailAddress="corrigo@news.example.cn",
                Destination={"ToAddresses": ["reader@example.com"]},
                Content={"Raw": {"Data": message().as_bytes()}},
            )
    finally:
        listener.close()
        for connection in held:
            connection.close()
    assert service_logs().count("SES did not answer a send") == 3  # the first try and botocore's 2 retries


def test_a_refused_connection_is_not_a_maybe_sent(service_logs: Any) -> None:
    """Nothing reached SES: nothing to warn about (the outbox's retry is safe)."""
    from botocore.exceptions import EndpointConnectionError

    from adapters.mailer import _note_unanswered

    _note_unanswered(caught_exception=EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), attempts=1)
    assert "SES did not answer" not in service_logs()
