"""Test handler: echoes its event, and exercises the AWS calls the local stack must carry."""

import base64
import json
import os
from email.message import EmailMessage

import boto3

# Created at import, as real handlers do: AWS_ENDPOINT_URL must already point at moto by then.
dynamodb = boto3.client("dynamodb")
sesv2 = boto3.client("sesv2")


def handler(event, context):
    route = event["routeKey"]
    if route == "GET /boom":
        raise RuntimeError("boom, as asked")
    if route == "GET /bare":
        return {"hello": "world"}
    if route == "GET /cookie":
        return {"statusCode": 204, "cookies": ["a=1; Path=/", "b=2"], "headers": {"x-one": "1"}}
    if route == "GET /binary":
        body = base64.b64encode(b"\x00\x01\xff").decode()
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": body,
            "isBase64Encoded": True,
        }
    if route == "POST /mail":
        return _send_mail(json.loads(event["body"]))
    if route == "POST /transact":
        return _transact(json.loads(event["body"]))
    echo = {
        "event": event,
        "env": {key: os.environ[key] for key in ("TABLE_NAME", "CONFIG_SET", "FIRST_DOMAIN", "PUBLIC_BASE_URL")},
        "context": {
            "function_name": context.function_name,
            "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn,
            "remaining": context.get_remaining_time_in_millis(),
            "request_id": context.aws_request_id,
        },
    }
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(echo)}


def _send_mail(payload):
    message = EmailMessage()
    message["From"] = os.environ["SENDER_ADDRESS"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["X-Corrigo-Reference"] = "CR-TEST-1"
    message.set_content(payload["text"])
    message.add_alternative(f"<p>{payload['text']}</p>", subtype="html")
    sesv2.send_email(
        FromEmailAddress=os.environ["SENDER_ADDRESS"],
        Destination={"ToAddresses": [payload["to"]]},
        Content={"Raw": {"Data": message.as_bytes()}},
        ConfigurationSetName=os.environ["CONFIG_SET"],
    )
    return {"statusCode": 202, "body": ""}


def _transact(payload):
    key = payload["key"]
    table = os.environ["TABLE_NAME"]
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {"pk": {"S": key}, "sk": {"S": "A"}, "status": {"S": "new"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": table, "Item": {"pk": {"S": key}, "sk": {"S": "B"}, "status": {"S": "new"}}}},
        ]
    )
    return {"statusCode": 201, "body": json.dumps({"key": key})}
