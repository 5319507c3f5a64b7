"""SES: send a message we composed ourselves, as raw MIME, so its headers are ours."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionClosedError, ReadTimeoutError

from adapters.aws import CallLimits, client, is_transient, unavailable
from corrigo.errors import OutOfTime
from observability import logger

# What must be left of the invocation when SES has answered a send: after it, the sender records it
# (the idempotency record, the outbox message marked sent), two DynamoDB writes. Milliseconds in AWS;
# the local stack under a burst has seen a single write wait over a second behind moto's lock.
RECORD_RESERVE_MS = 3_000

# A send is tried once and given up soon: SES takes no idempotency key, so a send still unanswered
# at the invocation's end (or retried by botocore after a lost answer) may go twice. Given up, it is
# logged as unanswered and the outbox retries it later. SES answers in well under a second.
SEND_LIMITS = CallLimits(attempts=1, connect_seconds=1, read_seconds=4)


def ses_client() -> Any:
    """The process's SES client, for sends (SEND_LIMITS): one per process, as every client."""
    ses = client("sesv2", calls=SEND_LIMITS)
    watch_unanswered_sends(ses)
    return ses


class MailRejected(Exception):
    """SES will not send this message (bad address, unverified sender): retrying will not help."""


def watch_unanswered_sends(ses: Any) -> None:
    """Log each SendEmail that reached SES and got no answer (read timed out, connection closed).
    Whether SES sent it is unknown, and SES takes no idempotency key: botocore's retry, or the
    outbox's, may send it again. The line lets a mail that went twice be traced to its cause."""
    ses.meta.events.register("needs-retry.sesv2.SendEmail", _note_unanswered, unique_id="corrigo-unanswered-send")


def _note_unanswered(caught_exception: Exception | None = None, attempts: int = 0, **_: Any) -> None:
    if isinstance(caught_exception, ReadTimeoutError | ConnectionClosedError):
        logger.warning(
            "SES did not answer a send: it may have sent it, and a retry sends it again",
            extra={"attempt": attempts, "error_type": type(caught_exception).__name__},
        )


class Mailer:
    # A send starts only if, were SES to take its longest to answer, the reserve would be left.
    needs_ms = SEND_LIMITS.longest_ms + RECORD_RESERVE_MS

    def __init__(self, configuration_set: str = "", ses: Any = None) -> None:
        self.configuration_set = configuration_set
        self._ses = ses
        # The running invocation's milliseconds left (its Lambda context); None outside Lambda.
        self.time_left: Callable[[], int] | None = None

    def bind_invocation(self, lambda_context: Any) -> None:
        """Each invocation, before any mail: no mail is started with less than ``needs_ms`` of it left."""
        self.time_left = getattr(lambda_context, "get_remaining_time_in_millis", None)

    @property
    def ses(self) -> Any:
        if self._ses is None:
            self._ses = ses_client()
        return self._ses

    def send(self, message: EmailMessage) -> str:
        """Send and return SES's message id; OutOfTime, unsent, if too little of the invocation is left."""
        left_ms = self.time_left() if self.time_left is not None else None
        if left_ms is not None and left_ms < self.needs_ms:
            raise OutOfTime(
                f"{left_ms} ms left of the invocation: a send needs {self.needs_ms} ms, to be answered and recorded"
            )
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
