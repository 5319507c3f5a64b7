"""AWS's own sample events (tests/fixtures/real-world/events, sources and licences in its README), reshaped for one call."""

from __future__ import annotations

import base64
import copy
import json
from functools import cache
from typing import Any
from urllib.parse import urlencode

from tests.support.aws import ROOT

# Real-world material, copied into the repository: nothing the tests read lies outside it.
REAL_WORLD = ROOT / "tests" / "fixtures" / "real-world"


@cache
def aws_sample(name: str) -> dict[str, Any]:
    return json.loads((REAL_WORLD / "events" / name).read_text("utf-8"))


def http_event(
    method: str,
    path: str,
    *,
    route: str | None = None,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event, starting from AWS's sample and changing only what the call needs."""
    event = copy.deepcopy(aws_sample("powertools_apiGatewayProxyV2Event.json"))
    event.pop("cookies", None)
    event["routeKey"] = f"{method} {route or path}"
    event["rawPath"] = path
    event["rawQueryString"] = urlencode(query or {})
    event["queryStringParameters"] = dict(query) if query else None
    event["pathParameters"] = path_parameters or {}
    event["headers"] = {"host": "corrigo.test", **{k.lower(): v for k, v in (headers or {}).items()}}
    event["requestContext"]["http"].update(method=method, path=path, sourceIp="203.0.113.7", userAgent="pytest")
    event["requestContext"].pop("authorizer", None)
    event["stageVariables"] = None
    if body is None:
        event["body"], event["isBase64Encoded"] = None, False
    elif isinstance(body, bytes):
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = body, False
    return event


def sqs_event(
    bodies: list[str], *, queue_arn: str = "arn:aws:sqs:us-east-1:123456789012:q", receive_count: int = 1
) -> dict[str, Any]:
    """An SQS event with one record per body, shaped like AWS's sample."""
    template = aws_sample("powertools_sqsEvent.json")["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record.update(messageId=f"msg-{index}", receiptHandle=f"handle-{index}", body=body, eventSourceARN=queue_arn)
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def ses_received_notification(
    *,
    bucket: str,
    key: str,
    recipients: tuple[str, ...] = ("lxwm@news.example.cn",),
    sender: str = "someone@example.org",
    verdicts: dict[str, str] | None = None,
    topic_arn: str = "arn:aws:sns:us-east-1:123456789012:mail",
) -> dict[str, Any]:
    """SES's notification for a receipt rule's S3 action, from AWS's sample (lambdago_ses-sns-event.json)
    with the action turned into the S3 one the template's rule has."""
    sample = copy.deepcopy(aws_sample("lambdago_ses-sns-event.json")["Records"][0]["ses"])
    receipt, mail = sample["receipt"], sample["mail"]
    receipt["recipients"] = list(recipients)
    for name, status in (verdicts or {}).items():
        receipt[f"{name}Verdict"] = {"status": status}
    receipt["action"] = {
        "type": "S3",
        "topicArn": topic_arn,
        "bucketName": bucket,
        "objectKeyPrefix": key.rpartition("/")[0] + "/" if "/" in key else "",
        "objectKey": key,
    }
    mail.update(messageId=key.rsplit("/", 1)[-1], source=sender, destination=list(recipients))
    return {"notificationType": "Received", "mail": mail, "receipt": receipt}


def sns_envelope(message: dict[str, Any], *, topic_arn: str = "arn:aws:sns:us-east-1:123456789012:mail") -> str:
    """The SQS body SNS delivers (no raw delivery), from AWS's sample SNS record."""
    sns = copy.deepcopy(aws_sample("powertools_snsEvent.json")["Records"][0]["Sns"])
    sns.pop("MessageAttributes", None)
    sns["SigningCertURL"] = sns.pop("SigningCertUrl")
    sns["UnsubscribeURL"] = sns.pop("UnsubscribeUrl")
    sns.update(
        Message=json.dumps(message, ensure_ascii=False),
        TopicArn=topic_arn,
        Subject="Amazon SES Email Receipt Notification",
    )
    return json.dumps(sns, ensure_ascii=False)
