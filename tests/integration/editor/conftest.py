"""The editors' API on in-process moto built from template.yaml, with tokens signed as Cognito would.

`tokens` signs RS256 JWTs with a key generated here; `jwks` is the matching key set. The route
table comes from template.yaml through the local gateway's own code (routes_from_template), so a
route missing its authorizer in the template fails here exactly as it would behind API Gateway.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support.events import http_event

EDITOR = "editor@news.example.cn"
OTHER_EDITOR = "second@news.example.cn"


@pytest.fixture(scope="session")
def signing_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def jwks(signing_key) -> dict[str, Any]:
    from jwt.algorithms import RSAAlgorithm

    key = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    key.update(kid="test-key", alg="RS256", use="sig")
    return {"keys": [key]}


@pytest.fixture
def tokens(aws, signing_key):
    """make(groups=..., expired=..., key=...) -> a bearer token for this stack's pool and client."""
    import jwt

    pool_id, client_id = aws.ref("UserPool"), aws.ref("UserPoolClient")

    def make(
        username: str = EDITOR, groups: tuple[str, ...] = ("editors",), *, expired: bool = False, key: Any = None
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
            "aud": client_id,
            "sub": str(uuid.uuid4()),
            "token_use": "id",
            "cognito:username": username,
            "email": username,
            "iat": now - 7200 if expired else now,
            "exp": now - 3600 if expired else now + 3600,
        }
        if groups:
            claims["cognito:groups"] = list(groups)
        return jwt.encode(claims, key or signing_key, algorithm="RS256", headers={"kid": "test-key"})

    return make


@pytest.fixture
def routes(aws, jwks, monkeypatch):
    """The template's HttpApi routes with their authorizers, verifying against `jwks`."""
    import jwt

    from infra.local.gateway import routes_from_template
    from infra.local.jwt_authorizer import JwtAuthorizer
    from infra.local.lambda_runtime import LocalFunction, load_handler
    from infra.local.template import IntrinsicResolver, load_template, resolve_parameters
    from tests.support.aws import ROOT, TEST_PARAMETERS

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks)
    template = load_template(ROOT / "template.yaml")
    resolver = IntrinsicResolver(template, resolve_parameters(template, TEST_PARAMETERS))
    for logical_id, provisioned in aws.resources.items():
        resolver.register(logical_id, provisioned.ref, provisioned.attributes)
    specs = list(aws.functions.values())
    functions = {s.logical_id: LocalFunction(s, load_handler(s.handler)) for s in specs}
    return routes_from_template(
        template, resolver, specs, functions, lambda config: JwtAuthorizer(config, "http://jwks.invalid")
    )


@pytest.fixture
def gateway(routes):
    """call(method, path, token=None, body=None, query=None) -> (status, headers, json-or-text), as API Gateway answers."""
    from infra.local.gateway import IncomingRequest, build_event, map_function_result
    from infra.local.jwt_authorizer import Unauthorized

    def call(
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        target = path + ("?" + urlencode(query) if query else "")
        sent = [("host", "corrigo.test"), *(headers or {}).items()]
        if token:
            sent.append(("authorization", f"Bearer {token}"))
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            if not any(k.lower() == "content-type" for k, _ in sent):
                sent.append(("content-type", "application/json"))
        request = IncomingRequest(method, target, "HTTP/1.1", sent, data, "203.0.113.9")
        for route in routes:
            parameters = route.match(method, path)
            if parameters is None:
                continue
            event = build_event(request, route, parameters)
            if route.authorizer is not None:
                try:
                    event["requestContext"]["authorizer"] = route.authorizer.authorize(
                        event["headers"], route.authorization_scopes
                    )
                except Unauthorized:
                    return 401, {}, {"message": "Unauthorized"}
            response = map_function_result(route.function.invoke(event))
            text = response.body.decode("utf-8")
            answer_headers = {k.lower(): v for k, v in response.headers}
            try:
                return response.status, answer_headers, json.loads(text)
            except json.JSONDecodeError:
                return response.status, answer_headers, text
        return 404, {}, None

    return call


@pytest.fixture
def valid_request() -> dict:
    from corrigo.schema import schema_dir

    return json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))


@pytest.fixture
def queued(aws, valid_request):
    """make(**changes) -> the reference of a stored request already screened into the queue, whose
    requester confirmed their address (issue 9) before it was screened: mailed in full, as before."""
    from handlers import api, intake_worker
    from tests.support.contact import confirm_address
    from tests.support.events import sqs_event

    def make(**changes: Any) -> str:
        document = {**valid_request, **changes}
        response = api.handler(
            http_event(
                "POST",
                "/requests",
                body=json.dumps(document, ensure_ascii=False),
                headers={"content-type": "application/json"},
            ),
            aws.context("ApiFunction"),
        )
        reference = json.loads(response["body"])["reference"]
        confirm_address(aws, reference)
        intake_worker.handler(sqs_event([json.dumps({"reference": reference})]), aws.context("IntakeWorkerFunction"))
        return reference

    return make


@pytest.fixture
def bus_events(aws, deliver_outbox):
    """Every event published on the outcome bus (by the outbox consumer, run first), read through a
    rule into an SQS queue."""
    sqs, events = aws.clients("sqs"), aws.clients("events")
    url = sqs.create_queue(QueueName="cms-test")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = aws.ref("OutcomeBus")
    events.put_rule(Name="cms", EventBusName=bus, EventPattern=json.dumps({"source": ["corrigo"]}))
    events.put_targets(Rule="cms", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

    def read() -> list[dict]:
        deliver_outbox()
        found = []
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for m in messages:
                found.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    return read
