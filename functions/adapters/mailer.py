"""SES: send a message we composed ourselves, as raw MIME, so its headers are ours."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, is_transient, unavailable


class MailRejected(Exception):
    """SES will not send this message (bad address, unverified sender): retrying will not help."""


class Mailer:
    def __init__(self, configuration_set: str = "", ses: Any = None) -> None:
        self.configuration_set = configuration_set
        self._ses = ses

    @property
    def ses(self) -> Any:
        if self._ses is None:
            self._ses = client("sesv2")
        return self._ses

    def send(self, message: EmailMessage) -> str:
        """Send and return SES's message id."""
        recipients = [address for header in ("To", "Cc") for address in message.get_all(header, [])]
        kwargs: dict[str, Any] = {
            "FromEmailAddress": str(message["From"]),
            "Destination": {"ToAddresses": [str(a) for a in recipients]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.ses.send_email(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            if is_transient(exc):
                raise unavailable("SES", exc) from exc
            raise MailRejected(str(exc)) from exc
        return str(answer.get("MessageId", ""))
