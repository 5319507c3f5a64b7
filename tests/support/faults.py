"""Fault injection: make one AWS operation of one client fail, the way the service itself would.

A ``before-call`` hook answers in botocore's place with an error response, so the adapters see a
real ``ClientError`` (code, HTTP status) exactly as from AWS after the SDK's own retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""


@contextmanager
def failing(client: Any, operation: str, code: str, status: int = 400) -> Iterator[list[str]]:
    """While inside, every ``operation`` call on ``client`` fails with ``code``; yields the calls refused."""
    refused: list[str] = []
    service = client.meta.service_model.service_id.hyphenize()
    event = f"before-call.{service}.{operation}"

    def refuse(**_: Any) -> tuple[_Http, dict[str, Any]]:
        refused.append(operation)
        return _Http(status), {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    client.meta.events.register_first(event, refuse, unique_id=f"fault-{event}")
    try:
        yield refused
    finally:
        client.meta.events.unregister(event, unique_id=f"fault-{event}")


# --- The local stack's fault switches (infra/local/faults.py), over its HTTP gateway ---------------


def set_local_faults(base_url: str, switches: dict[str, Any]) -> dict[str, Any]:
    """POST /_local/faults, e.g. ``{"ses": "outage"}`` (None switches off); returns every switch."""
    import json
    import urllib.request

    request = urllib.request.Request(
        base_url + "/_local/faults",
        data=json.dumps(switches).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


@contextmanager
def local_fault(base_url: str, service: str, mode: str, operations: list[str] | None = None) -> Iterator[None]:
    """While inside, the local stack's AWS endpoint fails ``service`` (ses, sqs, dynamodb, s3, events)
    with ``mode`` (outage, throttle, reject), only ``operations`` if given; switched off on the way out."""
    fault: Any = {"mode": mode, "operations": operations} if operations else mode
    set_local_faults(base_url, {service: fault})
    try:
        yield
    finally:
        set_local_faults(base_url, {service: None})
