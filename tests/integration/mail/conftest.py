"""Deliver a raw mail the way production does: the receipt rule's S3 object, then SES's notification
inside SNS's envelope inside an SQS record, to the mail-intake handler (in-process moto)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.mail_markers import MailMarkers
from tests.support.events import ses_received_notification, sns_envelope, sqs_event


@dataclass
class Delivery:
    key: str
    answer: dict[str, Any]
    body: str  # the SQS body, to deliver again
    reference: str | None


@pytest.fixture
def table(aws):
    from adapters.requests_table import RequestsTable

    return RequestsTable(aws.ref("RequestsTable"))


@pytest.fixture
def deliver(aws, table):
    from handlers import mail_intake

    bucket = aws.ref("RawMailBucket")

    def send_body(body: str) -> dict[str, Any]:
        return mail_intake.handler(
            sqs_event([body], queue_arn=aws.resources["MailIntakeQueue"].attributes["Arn"]),
            aws.context("MailIntakeFunction"),
        )

    def deliver(raw: bytes, *, verdicts: dict[str, str] | None = None, key: str | None = None) -> Delivery:
        key = key or f"inbound/{uuid.uuid4().hex}"
        aws.clients("s3").put_object(Bucket=bucket, Key=key, Body=raw)
        body = sns_envelope(ses_received_notification(bucket=bucket, key=key, verdicts=verdicts))
        answer = send_body(body)
        seen = MailMarkers(table.db).seen([f"object:{bucket}/{key}"])
        return Delivery(key, answer, body, seen.reference if seen else None)

    deliver.again = send_body  # type: ignore[attr-defined]
    return deliver


@pytest.fixture
def queued_references(aws):
    """References the intake queue holds (what the web path's worker would pick up)."""

    def read() -> list[str]:
        sqs = aws.clients("sqs")
        messages = sqs.receive_message(
            QueueUrl=aws.ref("IntakeQueue"), MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])
        return [json.loads(m["Body"])["reference"] for m in messages]

    return read
