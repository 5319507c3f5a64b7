"""Run the template's functions in this process, the way a warm Lambda execution environment would.

All functions share one process, so they share one os.environ: the union of every function's
variables is set once, before any handler is imported, and a variable that two functions want
with different values stops the start (one of them would silently see the other's value).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


class LocalFunction:
    """A function whose handler is imported and ready: `invoke(event)` is one Lambda invocation."""

    def __init__(self, spec: FunctionSpec, handler: Handler) -> None:
        self.spec = spec
        self._handler = handler

    def invoke(self, event: Any) -> Any:
        context = LambdaContext(self.spec)
        started = time.monotonic()
        try:
            return self._handler(event, context)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > self.spec.timeout_seconds:
                # Lambda would have killed it; threads cannot be killed, so say so loudly instead.
                log.warning(
                    "%s ran %.1f s, over its %d s timeout: in AWS this invocation would have failed",
                    self.spec.logical_id,
                    elapsed,
                    self.spec.timeout_seconds,
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
    os.environ.update(shared_environment(specs))
    add_code_dir_to_path(code_dir)
    return {spec.logical_id: LocalFunction(spec, load_handler(spec.handler)) for spec in specs}
