"""Send a requester an email about their request, exactly once per (request, kind, occasion).

Powertools idempotency records the sending in the requests table, so an SQS redelivery or a
Lambda retry does not send it twice, and a crash mid-send lets a later retry try again.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from adapters.aws import client
from adapters.mailer import Mailer
from corrigo.config import Settings
from corrigo.model import CorrectionRequest
from corrigo.notifications import MailContext, compose
from observability import logger


@cache
def _persistence(table_name: str) -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=table_name, key_attr="pk", sort_key_attr="sk", boto3_client=client("dynamodb")
    )


class Notifier:
    def __init__(self, settings: Settings, mailer: Mailer) -> None:
        self.settings = settings
        self.mailer = mailer
        self.context = MailContext(settings.sender_address, settings.intake_address, settings.public_base_url)
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

        self.idempotency = IdempotencyConfig(
            event_key_jmespath="[reference, kind, occasion]", expires_after_seconds=30 * 24 * 3600
        )
        self._send_once = idempotent_function(
            data_keyword_argument="notice",
            persistence_store=_persistence(settings.table_name),
            config=self.idempotency,
        )(self._send)

    def register_context(self, lambda_context: Any) -> None:
        self.idempotency.register_lambda_context(lambda_context)

    def notify(self, request: CorrectionRequest, kind: str, occasion: str = "", **extra: Any) -> None:
        """Email ``kind`` about ``request``; ``occasion`` tells repeated kinds apart (e.g. each question)."""
        self._send_once(
            notice={"reference": request.reference, "kind": kind, "occasion": occasion}, request=request, extra=extra
        )

    def _send(self, notice: dict[str, str], request: CorrectionRequest, extra: dict[str, Any]) -> str:
        message = compose(request, notice["kind"], self.context, **extra)
        message_id = self.mailer.send(message)
        logger.info(
            "email sent", extra={"reference": request.reference, "kind": notice["kind"], "ses_message_id": message_id}
        )
        return message_id
