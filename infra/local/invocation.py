"""Which function of the template is running now, for code that must act as that function, and
whether Lambda would still be running it.

The local stack runs every function in one process, and the tests call handlers directly; what
AWS knows from the execution role (whose call is this?) is carried here instead. The local
runtime sets it around each invocation, in the thread that runs the handler; readers (the IAM
check of each AWS call, the memory report) ask `current_function()`.

Lambda stops an invocation at its Timeout: the sandbox is frozen and then replaced, so the handler
makes no AWS call after it. Python cannot stop a thread, so the abandoned handler runs on here; the
botocore hook `refuse_calls_of_stopped_invocations` makes each AWS call it still tries fail instead
(a retry of the same work would otherwise race it: an acknowledgement sent twice, for example).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_current: ContextVar[str | None] = ContextVar("corrigo_current_function", default=None)
_stopped: ContextVar[threading.Event | None] = ContextVar("corrigo_invocation_stopped", default=None)


class InvocationStopped(Exception):
    """An AWS call made by a handler after Lambda would have stopped its invocation."""


def current_function() -> str | None:
    """The logical id (e.g. "ApiFunction") of the function being invoked, or None outside one."""
    return _current.get()


def invocation_stopped() -> bool:
    """True in the thread of an invocation that ran past its Timeout."""
    stopped = _stopped.get()
    return stopped is not None and stopped.is_set()


@contextmanager
def invoking(logical_id: str, stopped: threading.Event | None = None) -> Iterator[None]:
    """Everything inside runs as `logical_id`, as one Lambda invocation would; once `stopped` is set
    (the runtime gave up at the Timeout), its AWS calls fail."""
    token, stopped_token = _current.set(logical_id), _stopped.set(stopped)
    try:
        yield
    finally:
        _stopped.reset(stopped_token)
        _current.reset(token)


_hook_installed = False


def refuse_calls_of_stopped_invocations() -> None:
    """Give every botocore session created from now on the hook (idempotent; before the handlers'
    clients are made, as the IAM check's hooks are)."""
    global _hook_installed
    if _hook_installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.insert(0, ("before-call", _refuse_if_stopped))
    _hook_installed = True


def _refuse_if_stopped(model: Any, **_: Any) -> None:
    if invocation_stopped():
        raise InvocationStopped(
            f"{current_function()} ran past its Timeout: Lambda has stopped this invocation, so its "
            f"{model.service_model.service_name}.{model.name} call is not made"
        )
