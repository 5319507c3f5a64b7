"""What a queue consumer does with an error, for every SQS edge (the intake worker, mail intake):
retry the record, or finish it with a log line. The one place these edges map domain errors.

Retry: SQS delivers the record again after its visibility timeout and, after maxReceiveCount, keeps
it in the dead-letter queue, which is alarmed (docs/operations.md). That is right for what a retry
may cure (throttling, an outage, a concurrent change, a raw mail not readable yet, too little of the
invocation left) and also for what it will not (a misconfigured table or bucket, a bug): those must
not vanish, and the dead-letter queue is where operators find them, redrivable once fixed.

Done: nothing a retry could change, and nothing lost: the request is already saved, or there is no
request to act on.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import wraps
from typing import Any, TypeVar

from adapters.dynamo import StoreError
from adapters.mailer import MailRejected
from adapters.raw_mail import RawMailMissing, RawMailStoreError
from corrigo.errors import ConcurrentChange, InvalidRequest, NotFound, OutOfTime, ServiceUnavailable
from corrigo.lifecycle import TransitionNotAllowed
from observability import logger


class Outcome(Enum):
    RETRY = "retry"  # may be cured by waiting: delivered again
    RETRY_TO_DEAD_LETTERS = "retry until the dead-letter queue"  # will not be cured: kept for operators
    DONE = "done"  # nothing to retry, nothing lost


def outcome_for(exc: Exception) -> Outcome:
    if isinstance(exc, ServiceUnavailable | ConcurrentChange | RawMailMissing | OutOfTime):
        return Outcome.RETRY
    if isinstance(exc, MailRejected | NotFound | TransitionNotAllowed | InvalidRequest):
        return Outcome.DONE
    if isinstance(exc, StoreError | RawMailStoreError):
        return Outcome.RETRY_TO_DEAD_LETTERS
    return Outcome.RETRY_TO_DEAD_LETTERS  # not foreseen: a bug, kept where operators look


Handle = TypeVar("Handle", bound=Callable[..., Any])


def each_record(handle: Handle) -> Handle:
    """``handle`` (a Powertools record handler) with every error mapped by outcome_for: raised again
    to fail the record alone (partial batch response), or logged and finished."""

    @wraps(handle)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return handle(*args, **kwargs)
        except Exception as exc:
            outcome = outcome_for(exc)
            extra = {"error": type(exc).__name__, "detail": str(exc)[:500], "outcome": outcome.value}
            if outcome is Outcome.DONE:
                logger.warning("record finished without its effect", extra=extra)
                return None
            if outcome is Outcome.RETRY:
                logger.warning("record will be retried", extra=extra)
            else:
                logger.exception("record failed; retried until the dead-letter queue", extra=extra)
            raise

    return mapped  # type: ignore[return-value]
