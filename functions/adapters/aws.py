"""boto3 clients, created lazily once per execution environment.

boto3 reads AWS_ENDPOINT_URL, so the local stack (moto) and AWS use the same code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from corrigo.errors import ServiceUnavailable

# Errors that mean "not now" rather than "never": the caller answers 503 or retries the message.
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "TooManyRequestsException",
        "LimitExceededException",
        "RequestThrottled",  # SQS
        "SlowDown",  # S3
    }
)


@dataclass(frozen=True)
class CallLimits:
    """How long one call may take and how often botocore tries it. The default retries a failure
    three times (botocore's standard mode, with backoff); a call that is not safe to repeat is tried once."""

    attempts: int = 4
    connect_seconds: float = 3
    read_seconds: float = 10

    @property
    def longest_ms(self) -> int:
        """The most one attempt can take before botocore gives up on it (connecting, then waiting)."""
        return int((self.connect_seconds + self.read_seconds) * 1000)


# One Session per process: each new Session parses botocore's endpoint and partition data again
# (~220 ms per client at a cold start). Making clients from one Session is not thread-safe, and the
# local stack runs handlers in worker threads, so the Session and every client are made under a lock.
_lock = threading.Lock()
_clients: dict[str, Any] = {}


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def client(service: str, signature_version: str | None = None, *, calls: CallLimits | None = None) -> Any:
    """The process's one client for `service` (made on first use: no cold start pays for unused ones).
    ``signature_version`` picks another signer (``s3v4`` for presigned S3 links: Signature Version 4
    is what every region accepts, and what a role's session credentials need). ``calls`` gives its
    calls other limits than the default (see CallLimits): a client of their own."""
    name = ":".join(str(part) for part in (service, signature_version, calls) if part)
    made = _clients.get(name)
    if made is not None:
        return made
    with _lock:
        if name not in _clients:
            from botocore.config import Config

            limits = calls or CallLimits()
            config = Config(
                retries={"mode": "standard", "total_max_attempts": limits.attempts},
                connect_timeout=limits.connect_seconds,
                read_timeout=limits.read_seconds,
                signature_version=signature_version,
            )
            _clients[name] = _session().client(service, config=config)
        return _clients[name]


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def unavailable(service: str, exc: Exception) -> ServiceUnavailable:
    """Wrap an SDK failure that is worth retrying later."""
    return ServiceUnavailable(f"{service} unavailable: {exc}")


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, BotoCoreError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(exc) in TRANSIENT_CODES or int(status) >= 500
    return False
