"""The requests created in a range of Beijing days, from the `created` index (template.yaml): one
query per day, each item only the attributes reports read (corrigo.reports.ReportRow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from adapters.dynamo import Dynamo, Item
from corrigo.reports import ReportRow, days_between

CREATED_INDEX = "created"


def row_from_item(item: Item) -> ReportRow:
    return ReportRow(
        reference=str(item.get("reference", "")),
        created_at=str(item["created_at"]),
        request_type=str(item.get("request_type", "other")),
        channel=str(item.get("channel", "web")),
        status=str(item.get("status", "")),
        outcome=item.get("outcome"),
        first_response_at=item.get("first_response_at"),
        decided_at=item.get("decided_at"),
        first_response_due=str(item.get("first_response_due", "")),
        decision_due=str(item.get("decision_due", "")),
        escalated=bool(item.get("escalated")),
        screening_verdict=item.get("screening_verdict"),
        article_key=item.get("article_key"),
        article_url=item.get("article_url"),
        article_title=item.get("article_title"),
    )


class RequestReports:
    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self.db = Dynamo(table_name, dynamodb)

    def day(self, day: date) -> Iterator[Item]:
        """The raw index items of one Beijing day (every page)."""
        return self.db.query(
            IndexName=CREATED_INDEX,
            KeyConditionExpression="created_day = :day",
            ExpressionAttributeValues={":day": {"S": day.isoformat()}},
        )

    def created_between(self, first: date, last: date) -> list[ReportRow]:
        return [row_from_item(item) for day in days_between(first, last) for item in self.day(day)]
