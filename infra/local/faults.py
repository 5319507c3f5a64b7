"""Fault switches: make the local AWS endpoint fail one service's calls, as that service would.

`POST /_local/faults` with `{"ses": "outage", "dynamodb": null, ...}` turns switches on and off (a
key left out keeps its switch); `GET /_local/faults` shows all five. A switch may name operations,
`{"ses": {"mode": "reject", "operations": ["SendEmail"]}}`, and then fails only those.

A switched-on call never reaches moto: the endpoint answers in the service's own wire protocol
(aws_wire.py), so botocore parses the same ClientError (code, HTTP status) as from AWS, after the same
retries (outage and throttle are retried by the SDK; reject is not). The codes are in `_ERRORS`.

"reject" is SES's permanent refusal of a message; the other services have none, so they refuse as
IAM would (the same codes as the IAM check's denials): a refusal no retry cures.

Who is failed: every caller of the endpoint — the functions, the SMTP intake storing received mail
in S3 (as SES's receipt rule would fail to), tests, the AWS CLI. Who is not: the stack's stand-ins
for AWS's own machinery, which make their calls through `HousekeepingClients` (the event-source
pollers standing in for Lambda's event source mappings and SNS subscriptions, the persistence
snapshots); the sent-mail view (/_local/outbox) reads moto in-process. The switches live in memory only: a restart starts
with all of them off, and they are never written to the local state.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .aws_wire import AwsErrorAnswer, error_answer, operation_of, service_model, service_of
from .gateway import IncomingRequest, OutgoingResponse, json_response
from .resources import AwsClients

SERVICES = ("ses", "sqs", "dynamodb", "s3", "events")
MODES = ("outage", "throttle", "reject")
# The switch each botocore service belongs to (none for DynamoDB Streams).
_SWITCH_OF_SERVICE = {
    "sesv2": "ses",
    "ses": "ses",
    "sqs": "sqs",
    "dynamodb": "dynamodb",
    "s3": "s3",
    "events": "events",
}
HOUSEKEEPING_HEADER = "x-corrigo-local-housekeeping"
_HOUSEKEEPING_ENVIRON_KEY = "HTTP_" + HOUSEKEEPING_HEADER.upper().replace("-", "_")

# mode -> botocore service -> (error code, HTTP status)
_ERRORS: dict[str, dict[str, tuple[str, int]]] = {
    "outage": {name: ("ServiceUnavailable", 503) for name in ("sesv2", "ses", "sqs", "dynamodb", "s3", "events")},
    "throttle": {
        "sesv2": ("TooManyRequestsException", 429),
        "ses": ("Throttling", 400),
        "sqs": ("RequestThrottled", 400),
        "dynamodb": ("ProvisionedThroughputExceededException", 400),
        "s3": ("SlowDown", 503),
        "events": ("ThrottlingException", 400),
    },
    "reject": {
        "sesv2": ("MessageRejected", 400),
        "ses": ("MessageRejected", 400),
        "sqs": ("AccessDenied", 403),
        "dynamodb": ("AccessDeniedException", 400),
        "s3": ("AccessDenied", 403),
        "events": ("AccessDeniedException", 400),
    },
}
_MESSAGES = {
    "outage": "Service unavailable (local fault switch: outage)",
    "throttle": "Rate exceeded (local fault switch: throttle)",
    "reject": "Refused (local fault switch: reject)",
}
# The boto3 clients a switch covers, for checking the operation names a switch is given.
_CLIENTS_OF_SWITCH = {
    "ses": ("sesv2", "ses"),
    "sqs": ("sqs",),
    "dynamodb": ("dynamodb",),
    "s3": ("s3",),
    "events": ("events",),
}


class FaultRequestError(ValueError):
    """A switch that cannot be set: `field` names the part of the request that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Fault:
    mode: str
    operations: frozenset[str] = frozenset()  # empty: every operation of the service

    def covers(self, operation: str | None) -> bool:
        return not self.operations or operation in self.operations

    def to_json(self) -> Any:
        return {"mode": self.mode, "operations": sorted(self.operations)} if self.operations else self.mode


def parse_switches(payload: Any) -> dict[str, Fault | None]:
    """`{"ses": "outage", "sqs": null, "s3": {"mode": "throttle", "operations": ["PutObject"]}}` -> faults."""
    if not isinstance(payload, dict):
        raise FaultRequestError("body", 'expected a JSON object such as {"ses": "outage"}')
    switches: dict[str, Fault | None] = {}
    for service, value in payload.items():
        if service not in SERVICES:
            raise FaultRequestError(service, f"unknown service {service!r}; one of {', '.join(SERVICES)}")
        switches[service] = _parse_fault(service, value)
    return switches


def _parse_fault(service: str, value: Any) -> Fault | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Fault(_parse_mode(service, value))
    if not isinstance(value, dict):
        raise FaultRequestError(service, 'expected a mode, null, or {"mode": ..., "operations": [...]}')
    unknown = sorted(set(value) - {"mode", "operations"})
    if unknown:
        raise FaultRequestError(f"{service}.{unknown[0]}", f"unknown key {unknown[0]!r}; only mode and operations")
    operations = value.get("operations", [])
    if not isinstance(operations, list) or not operations or not all(isinstance(op, str) for op in operations):
        raise FaultRequestError(f"{service}.operations", "expected a non-empty list of operation names")
    known = _operation_names(service)
    for operation in operations:
        if operation not in known:
            raise FaultRequestError(
                f"{service}.operations", f"{operation!r} is not an operation of {service} (e.g. {min(known)})"
            )
    return Fault(_parse_mode(f"{service}.mode", value.get("mode")), frozenset(operations))


def _parse_mode(field: str, mode: Any) -> str:
    if mode not in MODES:
        raise FaultRequestError(field, f"unknown mode {mode!r}; one of {', '.join(MODES)}, or null to switch off")
    return str(mode)


class FaultSwitches:
    """The switches of one running stack (in memory only), and the endpoint's answer when one is on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def update(self, payload: Any) -> None:
        """Set the switches named in `payload` (null switches off); all or nothing."""
        switches = parse_switches(payload)
        with self._lock:
            for service, fault in switches.items():
                if fault is None:
                    self._faults.pop(service, None)
                else:
                    self._faults[service] = fault

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                service: (self._faults[service].to_json() if service in self._faults else None) for service in SERVICES
            }

    def refusal(self, environ: dict[str, Any]) -> AwsErrorAnswer | None:
        """The error to answer this WSGI request with, or None to let moto answer it."""
        if not self._faults or environ.get(_HOUSEKEEPING_ENVIRON_KEY):
            return None
        service = service_of(environ)
        switch = _SWITCH_OF_SERVICE.get(service or "")
        with self._lock:
            fault = self._faults.get(switch) if switch else None
        if fault is None or service is None:
            return None
        if fault.operations and not fault.covers(operation_of(service, environ)):
            return None
        code, status = _ERRORS[fault.mode][service]
        return error_answer(service, code, status, _MESSAGES[fault.mode])


def _operation_names(switch: str) -> frozenset[str]:
    return frozenset(name for client in _CLIENTS_OF_SWITCH[switch] for name in service_model(client).operation_names)


# ---------------------------------------------------------------------------------------------
# The stack's own calls, and the /_local/faults route
# ---------------------------------------------------------------------------------------------


class HousekeepingClients(AwsClients):
    """AwsClients whose calls the switches let through: for the stack's stand-ins for AWS's own machinery."""

    def __call__(self, service: str) -> Any:
        client = super().__call__(service)
        client.meta.events.register("before-send", _mark_housekeeping, unique_id="corrigo-local-housekeeping")
        return client


def _mark_housekeeping(request: Any, **_: Any) -> None:
    request.headers[HOUSEKEEPING_HEADER] = "1"


def problem(status: int, title: str, field: str, message: str) -> OutgoingResponse:
    """An RFC 9457 problem, with the `errors` list of {field, message} the project's API answers with."""
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": message,
        "errors": [{"field": field, "message": message}],
    }
    return OutgoingResponse(status, [("content-type", "application/problem+json")], json.dumps(body).encode())


def faults_route(switches: FaultSwitches) -> Callable[[IncomingRequest], OutgoingResponse]:
    """GET shows the switches; POST sets them and answers with all of them."""

    def route(request: IncomingRequest) -> OutgoingResponse:
        if request.method in ("GET", "HEAD"):
            return json_response(200, switches.state())
        if request.method != "POST":
            return problem(405, "Method Not Allowed", "method", "use GET to read the switches, POST to set them")
        try:
            payload = json.loads(request.body or b"null")
        except ValueError as exc:
            return problem(400, "Bad Request", "body", f"not JSON: {exc}")
        try:
            switches.update(payload)
        except FaultRequestError as exc:
            return problem(400, "Bad Request", exc.field, exc.message)
        return json_response(200, switches.state())

    return route
