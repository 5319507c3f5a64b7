"""HTTP requests become API Gateway payload 2.0 events; responses and errors come back as API Gateway sends them."""

import base64
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor


def test_a_route_with_a_path_parameter_gets_a_v2_event(http):
    response = http(
        "GET",
        "/items/abc%20d?x=1&x=2&empty=",
        headers={"X-Custom": "one", "Cookie": "session=s1; theme=dark", "User-Agent": "tester/1"},
    )

    assert response.status == 200
    echoed = response.json()
    event = echoed["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/abc%20d"
    assert event["rawQueryString"] == "x=1&x=2&empty="
    assert event["queryStringParameters"] == {"x": "1,2", "empty": ""}
    assert event["pathParameters"] == {"id": "abc d"}
    assert event["cookies"] == ["session=s1", "theme=dark"]
    assert event["headers"]["x-custom"] == "one"
    assert "cookie" not in event["headers"]
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["http"] == {
        "method": "GET",
        "path": "/items/abc%20d",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "tester/1",
    }
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /items/{id}"
    assert context["accountId"] == "123456789012"
    assert context["requestId"]
    assert isinstance(context["timeEpoch"], int)
    assert response.headers["apigw-requestid"] == context["requestId"]


def test_the_function_gets_a_lambda_context(http):
    echoed = http("GET", "/items/1").json()
    context = echoed["context"]
    assert context["function_name"] == "corrigo-local-WebFunction"
    assert context["memory"] == "256"
    assert context["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:corrigo-local-WebFunction"
    assert 0 < context["remaining"] <= 10_000
    assert uuid.UUID(context["request_id"])


def test_a_literal_route_wins_over_a_parameter_and_proxy_takes_the_rest(http):
    assert http("GET", "/items/special").json()["event"]["routeKey"] == "GET /items/special"
    proxied = http("DELETE", "/proxy/a/b/c").json()["event"]
    assert proxied["routeKey"] == "ANY /proxy/{proxy+}"
    assert proxied["pathParameters"] == {"proxy": "a/b/c"}


def test_binary_bodies_are_base64_encoded_and_text_bodies_are_not(http):
    binary = http("POST", "/upload", body=b"\x89PNG\x00\xff", headers={"Content-Type": "image/png"}).json()["event"]
    form = http("POST", "/upload", body=b"a=1&b=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
    text = http("POST", "/upload", body='{"a": "é"}'.encode(), headers={"Content-Type": "application/json"})

    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG\x00\xff"
    assert form.json()["event"]["isBase64Encoded"] is True  # as HTTP APIs do with form posts
    assert text.json()["event"]["isBase64Encoded"] is False
    assert text.json()["event"]["body"] == '{"a": "é"}'


def test_responses_map_as_api_gateway_maps_them(http):
    bare = http("GET", "/bare")
    cookies = http("GET", "/cookie")
    binary = http("GET", "/binary")

    assert bare.status == 200
    assert bare.headers["content-type"] == "application/json"
    assert bare.json() == {"hello": "world"}
    assert cookies.status == 204
    assert cookies.headers.get_all("set-cookie") == ["a=1; Path=/", "b=2"]
    assert cookies.headers["x-one"] == "1"
    assert binary.body == b"\x00\x01\xff"


def test_no_route_is_a_404_like_api_gateway(http):
    missing = http("GET", "/nowhere")
    wrong_method = http("POST", "/items/1")

    assert missing.status == 404
    assert missing.json() == {"message": "Not Found"}
    assert wrong_method.status == 404


def test_a_handler_exception_is_a_500_and_the_server_stays_up(http, caplog):
    failed = http("GET", "/boom")

    assert failed.status == 500
    assert failed.json() == {"message": "Internal Server Error"}
    assert "boom, as asked" in caplog.text  # the traceback is logged
    assert http("GET", "/items/still-up").status == 200


def test_health(http):
    assert http("GET", "/_local/health").status == 200


def test_sixteen_concurrent_clients_doing_transactions_get_no_5xx(http):
    prefix = uuid.uuid4().hex[:8]
    statuses = []
    lock = threading.Lock()

    def client(number):
        for attempt in range(5):
            body = json.dumps({"key": f"{prefix}-{number}-{attempt}"}).encode()
            status = http("POST", "/transact", body=body, headers={"Content-Type": "application/json"}).status
            with lock:
                statuses.append(status)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(client, range(16)))

    assert statuses == [201] * 80
