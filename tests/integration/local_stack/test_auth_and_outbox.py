"""The JWT authorizer checks tokens as API Gateway does; the outbox shows what the service sent."""

import gzip
import json
import time
from pathlib import Path

import jwt
import moto.cognitoidp
import pytest

# moto signs every pool's tokens with this one key (kid "dummy"), shipped gzipped in its package.
MOTO_PRIVATE_JWK = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"


@pytest.fixture(scope="module")
def editor_tokens(stack):
    """Tokens for the editor account the stack created at start (its default start-up step)."""
    email, password = stack.editor_credentials
    answer = stack.aws("cognito-idp").initiate_auth(
        ClientId=stack.resource("UserPoolClient"),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return answer["AuthenticationResult"]


def signed_with_moto_key(stack, **claims):
    """A token signed by the pool's real key, so that only the claims can make it fail."""
    key = json.loads(gzip.decompress(MOTO_PRIVATE_JWK.read_bytes()))
    key.setdefault("kid", "dummy")
    payload = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{stack.resource('UserPool')}",
        "aud": stack.resource("UserPoolClient"),
        "token_use": "id",
        "exp": int(time.time()) + 600,
        **claims,
    }
    return jwt.encode(payload, jwt.PyJWK(key).key, algorithm="RS256", headers={"kid": key["kid"]})


def test_the_editor_account_is_announced_on_the_ready_line(stack):
    email, password = stack.editor_credentials
    assert email == "editor@news.test"
    assert f"editor={email} / {password}" in stack.ready_line
    assert stack.ready_line.startswith(f"Corrigo local stack ready: {stack.http_url}/")
    assert f"aws={stack.aws_url}" in stack.ready_line


def test_a_real_cognito_token_is_accepted_and_its_claims_reach_the_function(http, editor_tokens):
    for token in (editor_tokens["IdToken"], editor_tokens["AccessToken"]):  # aud and client_id both count
        response = http("GET", "/editor/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200, response.body
        claims = response.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
        assert claims["cognito:groups"] == "[editors]"  # API Gateway flattens arrays into strings
        assert claims["iss"].startswith("https://cognito-idp.us-east-1.amazonaws.com/")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"],
    ids=["missing", "empty", "garbage", "not-bearer"],
)
def test_requests_without_a_usable_token_are_refused(http, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = http("GET", "/editor/me", headers=headers)
    assert response.status == 401
    assert response.json() == {"message": "Unauthorized"}


def test_a_token_with_a_bad_signature_is_refused(http, editor_tokens):
    header, payload, signature = editor_tokens["IdToken"].split(".")
    forged = f"{header}.{payload}.{signature[:-6]}AAAAAA"
    assert http("GET", "/editor/me", headers={"Authorization": f"Bearer {forged}"}).status == 401


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 60},
        {"nbf": int(time.time()) + 3600},
        {"aud": "some-other-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
    ],
    ids=["expired", "not-yet-valid", "wrong-audience", "wrong-issuer"],
)
def test_a_well_signed_token_with_wrong_claims_is_refused(http, stack, claims):
    token = signed_with_moto_key(stack, **claims)
    assert http("GET", "/editor/me", headers={"Authorization": f"Bearer {token}"}).status == 401


def test_the_same_key_with_right_claims_is_accepted(http, stack):
    token = signed_with_moto_key(stack)  # proves the refusals above come from the claims
    assert http("GET", "/editor/me", headers={"Authorization": f"Bearer {token}"}).status == 200


def test_the_outbox_lists_mail_sent_with_sesv2_raw_content(http, stack):
    subject = "更正申请已收到 CR-TEST-1"
    sent = http(
        "POST",
        "/mail",
        body=json.dumps({"to": "reader@example.org", "subject": subject, "text": "谢谢。"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status == 202

    outbox = http("GET", "/_local/outbox").json()
    mail = next(m for m in outbox if m["subject"] == subject)
    assert mail["to"] == ["reader@example.org"]
    assert mail["from"] == "noreply@news.test"
    assert mail["text"].strip() == "谢谢。"
    assert mail["html"].strip() == "<p>谢谢。</p>"
    assert mail["headers"]["X-Corrigo-Reference"] == "CR-TEST-1"
    assert mail["headers"]["Subject"] == subject
    assert "MIME-Version" in mail["raw"]
    assert mail["timestamp"].endswith("+00:00")
    assert stack.outbox()[-1]["id"] == outbox[-1]["id"]


def test_the_outbox_reads_on_from_a_position(http, stack):
    """`?after=<position>`: only the emails sent after that one, so a reader of thousands decodes each once."""

    def send(subject: str) -> None:
        body = json.dumps({"to": "reader@example.org", "subject": subject, "text": "谢谢。"}).encode()
        assert http("POST", "/mail", body=body, headers={"Content-Type": "application/json"}).status == 202

    send("第一封 first")
    everything = http("GET", "/_local/outbox").json()
    last = everything[-1]["position"]
    assert [m["position"] for m in everything] == list(range(len(everything)))
    assert http("GET", f"/_local/outbox?after={last}").json() == []

    send("第二封 second")
    send("第三封 third")
    newer = http("GET", f"/_local/outbox?after={last}").json()
    assert [m["subject"] for m in newer] == ["第二封 second", "第三封 third"]
    assert [m["position"] for m in newer] == [last + 1, last + 2]
    assert len(http("GET", "/_local/outbox?after=-1").json()) == len(everything) + 2

    refused = http("GET", "/_local/outbox?after=latest")
    assert refused.status == 400 and refused.json()["errors"][0]["field"] == "after"
