"""EventBridge: tell the site's CMS what editors decided (`CorrectionResolved`), on the outcome bus."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, unavailable

SOURCE = "corrigo"
RESOLVED = "CorrectionResolved"


class EventBus:
    def __init__(self, bus_name: str, events: Any = None) -> None:
        self.bus_name = bus_name
        self._events = events

    @property
    def events(self) -> Any:
        if self._events is None:
            self._events = client("events")
        return self._events

    def publish_resolved(
        self, *, reference: str, article_url: str, outcome: str, public_note: str | None, resolved_at: str
    ) -> str:
        """Publish one `CorrectionResolved`; returns its event id.

        EventBridge does not deduplicate, so a retried decision may publish twice: `resolved_at`
        (with the reference) identifies the decision, for consumers to drop repeats.
        """
        detail = {
            "reference": reference,
            "article_url": article_url,
            "outcome": outcome,
            "public_note": public_note or "",
            "resolved_at": resolved_at,
        }
        return self.publish(RESOLVED, detail)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> str:
        """Publish one event of ``detail_type`` from Corrigo; returns its event id."""
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail, ensure_ascii=False),
            "EventBusName": self.bus_name,
        }
        try:
            answer = self.events.put_events(Entries=[entry])
        except (ClientError, BotoCoreError) as exc:
            raise unavailable("EventBridge", exc) from exc
        if answer.get("FailedEntryCount"):
            failure = answer["Entries"][0]
            raise unavailable("EventBridge", RuntimeError(f"{failure.get('ErrorCode')}: {failure.get('ErrorMessage')}"))
        return str(answer["Entries"][0].get("EventId", ""))
