"""adapters.mailer keeps the invocation's last seconds for recording what it sent."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.mailer import RECORD_RESERVE_MS, Mailer
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


def test_with_the_reserve_left_the_mail_is_sent() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(invocation(RECORD_RESERVE_MS))
    assert mailer.send(message()) == "m-1"


def test_with_less_than_the_reserve_left_nothing_reaches_ses() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(invocation(RECORD_RESERVE_MS - 1))
    with pytest.raises(OutOfTime, match=f"{RECORD_RESERVE_MS - 1} ms left"):
        mailer.send(message())
    assert ses.sent == []


def test_outside_lambda_there_is_no_deadline() -> None:
    ses = FakeSes()
    mailer = Mailer(ses=ses)
    mailer.bind_invocation(None)
    assert mailer.send(message()) == "m-1"
