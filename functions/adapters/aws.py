"""boto3 clients, created lazily once per execution environment.

boto3 reads AWS_ENDPOINT_URL, so the local stack (moto) and AWS use the same code.
"""

from __future__ import annotations

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
    }
)


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    return boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]


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
