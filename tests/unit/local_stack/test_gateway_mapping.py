"""Route selection, the v2 event and the response mapping, without a socket."""

import base64

import pytest

from infra.local.gateway import IncomingRequest, Route, build_event, is_text_content_type, map_function_result
from infra.local.jwt_authorizer import JwtAuthorizerConfig, gateway_claim, jwks_url_for


def route(method, path):
    return Route(method=method, path=path, function=None, api_id="api")


def select(routes, method, path):
    ordered = sorted(routes, key=lambda r: r.precedence)
    return next((r.key, params) for r in ordered if (params := r.match(method, path)) is not None)


def test_the_most_specific_route_wins():
    routes = [route("ANY", "/{proxy+}"), route("GET", "/a/{id}"), route("GET", "/a/b"), route("ANY", "/a/{id}")]
    assert select(routes, "GET", "/a/b") == ("GET /a/b", {})
    assert select(routes, "GET", "/a/c") == ("GET /a/{id}", {"id": "c"})
    assert select(routes, "PUT", "/a/c") == ("ANY /a/{id}", {"id": "c"})
    assert select(routes, "GET", "/x/y/z") == ("ANY /{proxy+}", {"proxy": "x/y/z"})


def test_a_parameter_takes_one_segment_and_a_greedy_one_at_least_one():
    assert route("GET", "/a/{id}").match("GET", "/a/b/c") is None
    assert route("GET", "/a/{rest+}").match("GET", "/a/") is None
    assert route("GET", "/").match("GET", "/") == {}
    assert route("GET", "/").match("POST", "/") is None


def test_the_event_joins_repeated_headers_and_queries_and_keeps_cookies_apart():
    request = IncomingRequest(
        method="POST",
        target="/a/b?q=1&q=2",
        protocol="HTTP/1.1",
        headers=[("Accept", "a"), ("accept", "b"), ("Cookie", "x=1; y=2"), ("Content-Type", "text/plain")],
        body="héllo".encode(),
        source_ip="10.0.0.1",
    )
    event = build_event(request, route("POST", "/a/{id}"), {"id": "b"})
    assert event["headers"]["accept"] == "a,b"
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["queryStringParameters"] == {"q": "1,2"}
    assert event["body"] == "héllo"
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["http"]["sourceIp"] == "10.0.0.1"
    assert event["headers"]["x-forwarded-for"] == "10.0.0.1"


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/xml", True),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=x", False),
        ("application/octet-stream", False),
        ("", False),
    ],
)
def test_which_bodies_stay_text(content_type, text):
    assert is_text_content_type(content_type) is text


def test_a_bare_return_value_is_a_200_json_body():
    response = map_function_result({"ok": True})
    assert (response.status, response.body) == (200, b'{"ok": true}')
    assert map_function_result("hi").body == b'"hi"'


def test_a_full_response_maps_headers_cookies_and_base64_bodies():
    response = map_function_result(
        {
            "statusCode": 302,
            "headers": {"Location": "/x"},
            "multiValueHeaders": {"X-Many": ["1", "2"]},
            "cookies": ["a=1"],
            "body": base64.b64encode(b"\x00").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 302
    assert response.headers == [("Location", "/x"), ("X-Many", "1"), ("X-Many", "2"), ("set-cookie", "a=1")]
    assert response.body == b"\x00"


def test_claims_reach_the_function_as_api_gateway_flattens_them():
    assert gateway_claim(["editors", "admins"]) == "[editors admins]"
    assert gateway_claim(1700000000) == "1700000000"
    assert gateway_claim(True) == "true"


def test_cognito_issuers_fetch_their_keys_from_the_local_endpoint():
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
    assert jwks_url_for(issuer, "http://127.0.0.1:4566") == "http://127.0.0.1:4566/us-east-1_abc/.well-known/jwks.json"
    assert jwks_url_for("https://id.example/", "http://x") == "https://id.example/.well-known/jwks.json"
    assert JwtAuthorizerConfig("a", issuer, ("c",), "$request.header.X-Token").header_name == "x-token"
