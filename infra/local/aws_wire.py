"""What an AWS request to the local endpoint is, and how each AWS service writes an error.

`service_of` and `operation_of` read a WSGI request as AWS's front end would (the SigV4 credential
scope, X-Amz-Target, the query Action, the REST route of the service's botocore model);
`error_answer` writes an error in the service's own protocol, so that botocore parses from it the
same ClientError as from AWS. The fault switches (faults.py) use both.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def _signing_name(environ: Mapping[str, Any]) -> str | None:
    """The service in the request's SigV4 credential scope (the header, or the query of a presigned URL)."""
    found = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if found:
        return found.group(1)
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    credential = query.get("X-Amz-Credential")
    parts = credential[0].split("/") if credential else []
    if len(parts) == 5:
        return parts[3]
    # Signature version 2 names no service; only S3 still takes it (boto3's presigned S3 URLs).
    if "Signature" in query or environ.get("HTTP_AUTHORIZATION", "").startswith("AWS "):
        return "s3"
    return None


def service_of(environ: Mapping[str, Any]) -> str | None:
    """The botocore service a request calls (sesv2, ses, dynamodb, dynamodbstreams, s3...), from its signature."""
    signing_name = _signing_name(environ)
    if signing_name == "ses":  # SES v1 and v2 both sign as "ses"
        return "sesv2" if environ.get("PATH_INFO", "").startswith("/v2/") else "ses"
    if signing_name == "dynamodb":  # so do DynamoDB and DynamoDB Streams as "dynamodb"
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        return "dynamodbstreams" if target.startswith("DynamoDBStreams_") else "dynamodb"
    return signing_name


# ---------------------------------------------------------------------------------------------
# Which operation a request is
# ---------------------------------------------------------------------------------------------


def operation_of(service: str, environ: dict[str, Any]) -> str | None:
    """The API operation a request calls: from X-Amz-Target (JSON), Action (query) or the REST route."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if service == "ses":
        return _query_action(environ)
    return _rest_operation(service, environ)


def _query_action(environ: dict[str, Any]) -> str | None:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = BytesIO(body)  # moto reads it again
    values = parse_qs(environ.get("QUERY_STRING", "")) | parse_qs(body.decode("utf-8", errors="replace"))
    return values["Action"][0] if "Action" in values else None


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    path: re.Pattern[str]
    query_keys: frozenset[str]  # keys the route's URI or required members put in the query
    header_keys: frozenset[str]  # headers its required members put on the request


def _rest_operation(service: str, environ: Mapping[str, Any]) -> str | None:
    """The most specific route of the service's model that this request satisfies (S3: PutObject,
    CopyObject and UploadPart share PUT /{Bucket}/{Key+}; their required query keys and headers tell them apart)."""
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "")
    query_keys = set(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    headers = {key[5:].lower().replace("_", "-") for key in environ if key.startswith("HTTP_")}
    best: tuple[int, str] | None = None
    for route in _routes(service):
        if route.method != method or not route.path.match(path):
            continue
        if not route.query_keys <= query_keys or not route.header_keys <= headers:
            continue
        specificity = len(route.query_keys) + len(route.header_keys)
        if best is None or specificity > best[0]:
            best = (specificity, route.operation)
    return best[1] if best else None


@cache
def _routes(service: str) -> tuple[_Route, ...]:
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        uri = operation.http.get("requestUri", "/")
        path_template, _, query = uri.partition("?")
        query_keys = {part.split("=")[0] for part in query.split("&") if part}
        header_keys = set()
        members = operation.input_shape.members if operation.input_shape is not None else {}
        required = operation.input_shape.required_members if operation.input_shape is not None else []
        for member in required:
            location = members[member].serialization.get("location")
            if location == "querystring":
                query_keys.add(members[member].serialization["name"])
            elif location == "header":
                header_keys.add(members[member].serialization["name"].lower())
        routes.append(
            _Route(
                name,
                operation.http["method"],
                _path_pattern(path_template),
                frozenset(query_keys),
                frozenset(header_keys),
            )
        )
    return tuple(routes)


def _path_pattern(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{\w+\\\+\\\}", ".+", re.escape(template))
    pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
    return re.compile(f"^{pattern.rstrip('/')}/?$")


@cache
def service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


# ---------------------------------------------------------------------------------------------
# The error, as the service's protocol writes it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsErrorAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


_JSON_TYPE_PREFIX = {"dynamodb": "com.amazonaws.dynamodb.v20120810#", "sqs": "com.amazonaws.sqs#"}


def error_answer(service: str, code: str, status: int, message: str) -> AwsErrorAnswer:
    """`code` as `service` (a botocore service name) sends it: JSON, REST-JSON, query XML or S3's XML."""
    request_id = str(uuid.uuid4())
    protocol = service_model(service).protocol
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        json_version = service_model(service).metadata.get("jsonVersion", "1.0")
        headers.append(("Content-Type", f"application/x-amz-json-{json_version}"))
        if service == "sqs":  # SQS's JSON protocol keeps its query-era codes in this header
            headers.append(("x-amzn-query-error", f"{code};{'Server' if status >= 500 else 'Sender'}"))
        body = json.dumps({"__type": _JSON_TYPE_PREFIX.get(service, "") + code, "message": message}).encode()
    elif protocol == "rest-json":
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        body = json.dumps({"message": message}).encode()
    elif protocol == "query":
        fault = "Receiver" if status >= 500 else "Sender"
        headers.append(("Content-Type", "text/xml"))
        body = (
            f"<ErrorResponse><Error><Type>{fault}</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    else:  # rest-xml: S3
        headers += [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
    return AwsErrorAnswer(status, headers, body)
