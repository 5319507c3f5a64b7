"""Deliver the outbox in in-process tests, as Lambda's stream mapping and the retry queue's poller would.

In-process moto does not route a DynamoDB Streams client (its calls reach DynamoDB's handler), so the
stream is stood in for by the table itself: each message not handed over yet becomes one INSERT
record, in the shape Lambda gives (from the item as written), and goes to the real handler. The
local stack reads the real stream instead (infra/local/streams.py).
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

from tests.support.events import aws_sample, sqs_event

_sequence = itertools.count(1_100_000_000_000_000_000_000)


class OutboxDrain:
    def __init__(self, aws: Any) -> None:
        self.aws = aws
        self.handed_over: set[str] = set()

    def __call__(self) -> list[dict[str, Any]]:
        """Every new message to the consumer once, then whatever the retry queue holds now; the answers."""
        from handlers import outbox_delivery

        answers = []
        new = [item for item in self._items() if item["id"]["S"] not in self.handed_over]
        for start in range(0, len(new), 10):
            batch = new[start : start + 10]
            event = {"Records": [stream_insert(item, self.aws) for item in batch]}
            answers.append(outbox_delivery.handler(event, self.aws.context("OutboxDeliveryFunction")))
            self.handed_over |= {item["id"]["S"] for item in batch}
        sqs = self.aws.clients("sqs")
        queue = self.aws.ref("OutboxRetryQueue")
        while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            event = sqs_event([message["Body"] for message in messages])
            answers.append(outbox_delivery.handler(event, self.aws.context("OutboxDeliveryFunction")))
            for message in messages:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return answers

    def states(self) -> dict[str, str]:
        """Each message's delivery state, by id."""
        return {item["id"]["S"]: item["delivery"]["S"] for item in self._items()}

    def _items(self) -> list[dict[str, Any]]:
        dynamodb = self.aws.clients("dynamodb")
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": self.aws.ref("OutboxTable"), "ConsistentRead": True}
        while True:
            page = dynamodb.scan(**kwargs)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda item: (item["created_at"]["S"], item["id"]["S"]))


def stream_insert(item: dict[str, Any], aws: Any) -> dict[str, Any]:
    """The INSERT record of AWS's sample stream event (Powertools' test events), carrying ``item``."""
    record = copy.deepcopy(aws_sample("powertools_dynamoStreamEvent.json")["Records"][0])
    record.update(eventID=item["id"]["S"], eventSourceARN=aws.resources["OutboxTable"].attributes["StreamArn"])
    record["dynamodb"].update(
        Keys={"id": item["id"]},
        NewImage=item,
        SequenceNumber=str(next(_sequence)),
        SizeBytes=len(json.dumps(item)),
        StreamViewType="NEW_IMAGE",
    )
    return record
