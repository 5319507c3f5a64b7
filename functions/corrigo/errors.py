"""Domain errors. Each edge (HTTP, queue consumer) maps them to its answer in one place."""

from __future__ import annotations

from corrigo.validation import FieldError


class CorrigoError(Exception):
    """Base of every error the service expects and knows how to explain."""


class InvalidRequest(CorrigoError):
    def __init__(self, errors: list[FieldError], data: dict[str, object], language: str) -> None:
        super().__init__(f"{len(errors)} invalid field(s): {', '.join(e.field for e in errors)}")
        self.errors = errors
        self.data = data
        self.language = language


class NotFound(CorrigoError):
    """Unknown reference, or a status token that does not match: the same answer for both."""


class IdempotencyKeyReused(CorrigoError):
    """The same Idempotency-Key came with a different request."""


class ConcurrentChange(CorrigoError):
    """Someone else changed the request between our read and our write."""


class ServiceUnavailable(CorrigoError):
    """A dependency is throttling or down; the caller should retry later."""

    def __init__(self, message: str, retry_after_seconds: int = 5) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class OutOfTime(CorrigoError):
    """Too little of the invocation's time is left to finish a step that cannot be undone: an email
    SES has accepted must still be recorded as sent, and a Timeout in between sends it again on the
    retry. Not started; the record carrying it fails and comes back in another invocation."""


class Forbidden(CorrigoError):
    """Signed in, but not allowed: not an editor, or not the editor who holds the request."""


class BadQuery(CorrigoError):
    """A query parameter or cursor that cannot be read; names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class RateLimited(CorrigoError):
    """Too many requests from one address or one IP in the current window: try again later."""

    def __init__(self, scope: str, retry_after_seconds: int) -> None:
        super().__init__(f"rate limit per {scope} reached")
        self.scope = scope
        self.retry_after_seconds = retry_after_seconds
