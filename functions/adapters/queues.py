"""SQS: hand work to the next function."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, unavailable


class Queue:
    def __init__(self, queue_url: str, sqs: Any = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = client("sqs")
        return self._sqs

    def send(self, message: dict[str, Any], delay_seconds: int = 0) -> None:
        """Send one message; ``delay_seconds`` (at most 900, SQS's limit) hides it that long first."""
        kwargs: dict[str, Any] = {"QueueUrl": self.queue_url, "MessageBody": json.dumps(message, ensure_ascii=False)}
        if delay_seconds:
            kwargs["DelaySeconds"] = max(0, min(900, int(delay_seconds)))
        try:
            self.sqs.send_message(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise unavailable("SQS", exc) from exc
