import json
import re
from urllib.parse import parse_qs

import pytest

from corrigo.schema import schema_dir
from tests.support.events import http_event, sqs_event
from tests.support.logs import service_logs  # noqa: F401 (a fixture, for the tests here)


@pytest.fixture
def valid_request() -> dict:
    return json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))


@pytest.fixture
def api(aws):
    """Call the API function as API Gateway would."""
    from handlers import api as module

    def call(method: str, path: str, **kwargs):
        route = "/requests/{reference}" if path.startswith("/requests/") else None
        params = {"reference": path.split("/")[2]} if route else None
        return module.handler(
            http_event(method, path, route=route, path_parameters=params, **kwargs), aws.context("ApiFunction")
        )

    return call


@pytest.fixture
def post_json(api):
    def post(document, headers=None):
        return api(
            "POST",
            "/requests",
            body=json.dumps(document, ensure_ascii=False),
            headers={"content-type": "application/json", **(headers or {})},
        )

    return post


@pytest.fixture
def drain_intake_queue(aws):
    """Deliver what the API queued to the intake worker, as Lambda's SQS poller would; returns its answers."""
    from handlers import intake_worker

    def drain() -> list[dict]:
        sqs = aws.clients("sqs")
        answers = []
        while True:
            messages = sqs.receive_message(QueueUrl=aws.ref("IntakeQueue"), MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return answers
            answers.append(
                intake_worker.handler(sqs_event([m["Body"] for m in messages]), aws.context("IntakeWorkerFunction"))
            )
            for message in messages:
                sqs.delete_message(QueueUrl=aws.ref("IntakeQueue"), ReceiptHandle=message["ReceiptHandle"])

    return drain


def body_of(response) -> dict:
    return json.loads(response["body"])


# The link in the confirmation notice an unconfirmed address gets (issue 9).
CONFIRM_LINK = re.compile(r"http://corrigo\.test(/requests/(CR-[0-9A-Z-]+)/confirm)\?(token=[A-Za-z0-9_\-]+)")


def confirm_call(aws, method: str, link: str, *, html: bool = True) -> dict:
    from handlers import api

    path, reference, query = CONFIRM_LINK.search(link).groups()
    token = parse_qs(query)["token"][0]
    headers = {"accept": "text/html" if html else "application/json"}
    body = None
    if method == "POST":
        headers["content-type"] = "application/x-www-form-urlencoded" if html else "application/json"
        body = f"token={token}" if html else json.dumps({"token": token})
    event = http_event(
        method,
        path,
        route="/requests/{reference}/confirm",
        path_parameters={"reference": reference},
        query={"token": token} if method == "GET" else None,
        headers=headers,
        body=body,
    )
    return api.handler(event, aws.context("ApiFunction"))
