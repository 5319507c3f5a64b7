"""Which function of the template is running now, for code that must act as that function.

The local stack runs every function in one process, and the tests call handlers directly; what
AWS knows from the execution role (whose call is this?) is carried here instead. The local
runtime sets it around each invocation, in the thread that runs the handler; readers (the IAM
check of each AWS call, the memory report) ask `current_function()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("corrigo_current_function", default=None)


def current_function() -> str | None:
    """The logical id (e.g. "ApiFunction") of the function being invoked, or None outside one."""
    return _current.get()


@contextmanager
def invoking(logical_id: str) -> Iterator[None]:
    """Everything inside runs as `logical_id`, as one Lambda invocation would."""
    token = _current.set(logical_id)
    try:
        yield
    finally:
        _current.reset(token)
