"""SNS: a text message to a mobile number (the commenters' verification codes).

``Publish`` with a ``PhoneNumber`` (no topic): transactional, so carriers deliver it promptly and
SNS does not drop it under the promotional spending limit. On the local stack it appears in
``GET /_local/outbox`` as ``{"channel": "sms", "to", "text"}``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, unavailable

ATTRIBUTES = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


class SmsRefused(Exception):
    """SNS will not send to this number (opted out, or not a number it can reach)."""


class Sms:
    def __init__(self, sns: Any = None) -> None:
        self._sns = sns

    @property
    def sns(self) -> Any:
        if self._sns is None:
            self._sns = client("sns")
        return self._sns

    def send(self, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` (E.164); the message id."""
        try:
            answer = self.sns.publish(PhoneNumber=phone, Message=text, MessageAttributes=ATTRIBUTES)
        except ClientError as exc:
            if error_code(exc) in ("InvalidParameter", "InvalidParameterValue", "OptedOut"):
                raise SmsRefused(str(exc)) from exc
            raise unavailable("SNS", exc) from exc
        except BotoCoreError as exc:
            raise unavailable("SNS", exc) from exc
        return str(answer.get("MessageId", ""))
