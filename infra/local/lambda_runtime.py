"""Run the template's functions in this process, the way a warm Lambda execution environment would.

All functions share one process, so they share one os.environ: the union of every function's
variables is set once, before any handler is imported, and a variable that two functions want
with different values stops the start (one of them would silently see the other's value).
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .invocation import invoking, refuse_calls_of_stopped_invocations
from .memory import MemoryUse, PeakWatch, current_rss_kb
from .template import ACCOUNT_ID, REGION, IntrinsicResolver, TemplateError

log = logging.getLogger(__name__)

FUNCTION_TYPE = "AWS::Serverless::Function"
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_SECONDS = 3


class EnvironmentConflict(TemplateError):
    """Two functions give one environment variable different values; one process cannot honour both."""


@dataclass(frozen=True)
class FunctionSpec:
    """A function of the template, with its environment resolved."""

    logical_id: str
    name: str
    handler: str
    environment: dict[str, str]
    memory_mb: int
    timeout_seconds: int
    events: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"


def function_specs(template: Mapping[str, Any], resolver: IntrinsicResolver) -> list[FunctionSpec]:
    """Every Serverless::Function, with Globals.Function merged in (the function's own settings win)."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    default_variables = (defaults.get("Environment") or {}).get("Variables") or {}
    specs = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            continue
        props = resource.get("Properties") or {}
        own_variables = (props.get("Environment") or {}).get("Variables") or {}
        variables = resolver.resolve({**default_variables, **own_variables})
        handler = props.get("Handler", defaults.get("Handler"))
        if not handler:
            raise TemplateError(f"{logical_id}: no Handler")
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                name=resolver.ref(logical_id),
                handler=handler,
                environment={key: _env_value(logical_id, key, value) for key, value in variables.items()},
                memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", DEFAULT_MEMORY_MB))),
                timeout_seconds=int(props.get("Timeout", defaults.get("Timeout", DEFAULT_TIMEOUT_SECONDS))),
                events=props.get("Events") or {},
            )
        )
    return specs


def _env_value(logical_id: str, key: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise TemplateError(f"{logical_id}: environment variable {key} must be a string, not {value!r}")
    return str(value).lower() if isinstance(value, bool) else str(value)


def shared_environment(specs: Iterable[FunctionSpec]) -> dict[str, str]:
    """The union of every function's variables; raises EnvironmentConflict when two disagree."""
    merged: dict[str, str] = {}
    owners: dict[str, str] = {}
    for spec in specs:
        for key, value in spec.environment.items():
            if key in merged and merged[key] != value:
                raise EnvironmentConflict(
                    f"environment variable {key} is {merged[key]!r} in {owners[key]} but {value!r} in "
                    f"{spec.logical_id}; the local stack runs every function in one process, so give "
                    "them distinct variable names"
                )
            merged[key] = value
            owners.setdefault(key, spec.logical_id)
    return merged


def add_code_dir_to_path(code_dir: Path) -> None:
    """Make handler modules importable as Lambda does.

    Lambda puts the function's code (CodeUri) at /var/task, which is on sys.path. This is the one
    place in the project that touches sys.path: it emulates that runtime, nothing else should.
    """
    path = str(Path(code_dir).resolve())
    if path not in sys.path:
        sys.path.insert(0, path)


class LambdaContext:
    """The context object Lambda's Python runtime passes as the handler's second argument."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        # The real runtime reads this from AWS_LAMBDA_FUNCTION_MEMORY_SIZE, so it is a string there too.
        self.memory_limit_in_mb = str(spec.memory_mb)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + spec.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


Handler = Callable[[Any, LambdaContext], Any]
# Started as an invocation starts; its stop() says how much memory the invocation used.
MemoryWatch = Callable[[], PeakWatch]


class FunctionTimedOut(Exception):
    """The handler ran past its Timeout: Lambda fails such an invocation (Sandbox.Timedout) for its caller."""


class _Invocation:
    """One run of a handler in a thread of its own, which the caller may stop waiting for.

    Python cannot kill a thread, so a handler past its deadline runs on. From the deadline on, each
    AWS call it tries fails (infra/local/invocation.py), as Lambda's stopped sandbox makes none; what
    the emulation cannot do is stop its other side effects (its log lines still appear) or give the
    next invocation a fresh execution environment, as Lambda does after a timeout (module state the
    abandoned thread changes is seen by later invocations). And each invocation has its own result
    slot: once the caller has given up, the late result or exception is dropped under the lock, so
    it can never be taken as another invocation's outcome.
    """

    def __init__(self, spec: FunctionSpec, handler: Handler, event: Any, context: LambdaContext) -> None:
        self._spec = spec
        self._handler = handler
        self._event = event
        self._context = context
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._abandoned_at: float | None = None
        self._stopped = threading.Event()  # set at the deadline: the thread's AWS calls fail from then
        self._result: Any = None
        self._error: BaseException | None = None

    def start(self) -> None:
        name = f"lambda-{self._spec.logical_id}-{self._context.aws_request_id[:8]}"
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            # Set here, in the thread that runs the handler: contextvars do not cross threads.
            with invoking(self._spec.logical_id, self._stopped):
                result = self._handler(self._event, self._context)
        except Exception as exc:
            error = exc
        except BaseException as exc:  # sys.exit() in a handler: Lambda reports Runtime.ExitError
            error = RuntimeError(f"Runtime exited: {exc!r}")
        with self._lock:
            if self._abandoned_at is None:
                self._result, self._error = result, error
                self._done.set()
                return
            late = time.monotonic() - self._abandoned_at
        log.warning(
            "%s: RequestId: %s finished %.2f s after its timeout; its %s is discarded (its side effects stay)",
            self._spec.logical_id,
            self._context.aws_request_id,
            late,
            "error" if error is not None else "result",
        )

    def wait(self, seconds: float) -> bool:
        """True if the handler finished within `seconds`; otherwise the invocation is abandoned for good."""
        if self._done.wait(max(0.0, seconds)):
            return True
        with self._lock:
            if self._done.is_set():  # finished just at the deadline
                return True
            self._abandoned_at = time.monotonic()
            self._stopped.set()
            return False

    def outcome(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._result


class LocalFunction:
    """A function whose handler is imported and ready: `invoke(event)` is one Lambda invocation.

    The handler runs in a thread of its own, inside `invoking(logical_id)`; the caller waits at most
    the function's Timeout, then gets FunctionTimedOut, as Lambda's caller gets an error. Each
    invocation ends with Lambda's REPORT line (debug level; warning past MemorySize).
    """

    def __init__(self, spec: FunctionSpec, handler: Handler, *, memory_watch: MemoryWatch | None = None) -> None:
        self.spec = spec
        self._handler = handler
        # The handlers are imported by now: the RSS at load is part of each estimate (memory.py).
        self._memory_watch = memory_watch or functools.partial(PeakWatch, current_rss_kb())

    def invoke(self, event: Any) -> Any:
        context = LambdaContext(self.spec)
        invocation = _Invocation(self.spec, self._handler, event, context)
        memory_watch = self._memory_watch()
        started = time.monotonic()
        try:
            invocation.start()
            finished = invocation.wait(context._deadline - time.monotonic())
        finally:
            duration_ms = (time.monotonic() - started) * 1000
            memory = memory_watch.stop()
        if not finished:
            log.error(
                "%s: RequestId: %s Task timed out after %.2f seconds",
                self.spec.logical_id,
                context.aws_request_id,
                self.spec.timeout_seconds,
            )
        self._report(context.aws_request_id, duration_ms, memory, timed_out=not finished)
        if not finished:
            raise FunctionTimedOut(
                f"{self.spec.logical_id} timed out after {self.spec.timeout_seconds} s (RequestId {context.aws_request_id})"
            )
        return invocation.outcome()

    def _report(self, request_id: str, duration_ms: float, memory: MemoryUse, *, timed_out: bool) -> None:
        log.debug(
            "%s: REPORT RequestId: %s Duration: %.2f ms Billed Duration: %d ms Memory Size: %d MB "
            "Max Memory Used: %d MB%s (local estimate: %d MB at load + %d MB grown while it ran)",
            self.spec.logical_id,
            request_id,
            duration_ms,
            math.ceil(duration_ms),
            self.spec.memory_mb,
            memory.max_used_mb,
            " Status: timeout" if timed_out else "",
            memory.at_load_mb,
            memory.growth_mb,
        )
        if memory.max_used_mb > self.spec.memory_mb:
            log.warning(
                "%s: RequestId: %s Max Memory Used %d MB is over its MemorySize %d MB: in AWS it would end with "
                '"Runtime exited with error: signal: killed" (Runtime.OutOfMemory). Local estimate: %d MB at '
                "load + %d MB grown while it ran (see infra/local/memory.py)",
                self.spec.logical_id,
                request_id,
                memory.max_used_mb,
                self.spec.memory_mb,
                memory.at_load_mb,
                memory.growth_mb,
            )


def load_handler(handler_path: str) -> Handler:
    module_name, _, attribute = handler_path.rpartition(".")
    if not module_name:
        raise TemplateError(f"Handler {handler_path!r} is not module.attribute")
    module = importlib.import_module(module_name)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise TemplateError(f"Handler {handler_path!r}: {module_name} has no callable {attribute}")
    return handler  # type: ignore[no-any-return]


def load_functions(specs: Iterable[FunctionSpec], code_dir: Path) -> dict[str, LocalFunction]:
    """Set the shared environment, then import every handler (the cold start, done once)."""
    specs = list(specs)
    refuse_calls_of_stopped_invocations()  # before the handlers make their clients
    os.environ.update(shared_environment(specs))
    add_code_dir_to_path(code_dir)
    return {spec.logical_id: LocalFunction(spec, load_handler(spec.handler)) for spec in specs}
