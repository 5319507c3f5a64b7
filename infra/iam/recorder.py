"""The botocore hook: every AWS call a function makes, recorded and checked against its role.

`install_hooks()` adds two handlers to botocore's built-in handlers, so every session (and every
client) created afterwards carries them: `provide-client-params` keeps the call's parameters as the
code passed them, and `before-call` — the last step before the request would be signed and sent —
checks the call against the role of the function running now (`infra.local.invocation`) and, when
the role does not allow it and the check enforces, answers AccessDenied the way AWS does: the SDK
raises its ClientError, nothing reaches moto. Calls made outside any function (set-up, the local
stack's own pollers) and calls AWS does not sign (Cognito's InitiateAuth...) are not checked.

One `IamCheck` is active at a time (the newest activated); all of them write to one `CallLog` per
process, which keeps, per function, the calls by service:operation, the IAM actions asked, the
grants that allowed them and every denial. `CallLog.write(path)` saves it as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.invocation import current_function
from infra.local.template import REGION

from .arns import Arns, AwsCall, describe_call
from .evaluate import Decision, Grant, Role, evaluate
from .policies import as_template_expression

log = logging.getLogger("infra.iam")

REPORT_ENV = "CORRIGO_IAM_REPORT"  # a file path; "{pid}" in it is replaced by the process id
_PENDING = "corrigo_iam_call"

# The error code and HTTP status each service answers a denied call with.
_DENIAL_CODES = {
    "s3": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "ses": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
}
_DEFAULT_DENIAL = ("AccessDeniedException", 400)


@dataclass(frozen=True)
class Denial:
    function: str
    call: str  # service:Operation
    request: str  # action on resource
    aws_message: str
    missing_grant: str

    def line(self) -> str:
        """The one line a newcomer reads: who, what call, what AWS says, what to add."""
        return (
            f"IAM: {self.function} {self.call} denied: {self.aws_message}. "
            f"Missing grant: {self.missing_grant} in {self.function}'s Policies (template.yaml)"
        )


class CallLog:
    """Everything the checks saw in this process, by function. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, Counter[str]] = defaultdict(Counter)
        self.actions: dict[str, Counter[str]] = defaultdict(Counter)
        self.grants: dict[str, set[Grant]] = defaultdict(set)
        self.used: dict[str, set[Grant]] = defaultdict(set)
        self.denials: list[Denial] = []
        self.assumptions: set[str] = set()
        self.unmapped: set[str] = set()

    def know_roles(self, roles: Mapping[str, Role]) -> None:
        with self._lock:
            for function, role in roles.items():
                self.grants[function].update(role.grants())

    def record(self, function: str, call: AwsCall, decisions: list[Decision], denial: Denial | None) -> None:
        with self._lock:
            self.calls[function][call.name] += 1
            for decision in decisions:
                self.actions[function][decision.request.action] += 1
                self.used[function].update(decision.grants_used)
                self.assumptions.update(decision.assumed_conditions)
            if not call.mapped:
                self.unmapped.add(call.name)
            if denial is not None:
                self.denials.append(denial)

    def unused_grants(self) -> dict[str, list[Grant]]:
        with self._lock:
            return {
                function: sorted(grants - self.used[function], key=str)
                for function, grants in sorted(self.grants.items())
                if grants - self.used[function]
            }

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            functions = sorted(set(self.calls) | set(self.grants))
            return {
                "pid": os.getpid(),
                "functions": {
                    function: {
                        "calls": dict(sorted(self.calls[function].items())),
                        "actions": dict(sorted(self.actions[function].items())),
                        "grants": sorted(_grant_json(g) for g in self.grants[function]),
                        "used": sorted(_grant_json(g) for g in self.used[function]),
                    }
                    for function in functions
                },
                "denials": [denial.__dict__ | {"line": denial.line()} for denial in self.denials],
                "assumed_conditions": sorted(self.assumptions),
                "unmapped_calls": sorted(self.unmapped),
            }

    def write(self, path: Path) -> None:
        """Replace `path` with this log as JSON (written aside first: a reader never sees half of it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)


def _grant_json(grant: Grant) -> str:
    return str(grant)


CALL_LOG = CallLog()


def report_path() -> Path | None:
    """Where this process saves its CallLog ($CORRIGO_IAM_REPORT, "{pid}" replaced), if anywhere."""
    value = os.environ.get(REPORT_ENV, "").strip()
    return Path(value.replace("{pid}", str(os.getpid()))) if value else None


def save_report() -> None:
    path = report_path()
    if path is not None:
        CALL_LOG.write(path)


class IamCheck:
    """The roles of one stack's functions; `enforce` turns a denial into AccessDenied for the caller."""

    def __init__(
        self,
        roles: Mapping[str, Role],
        *,
        enforce: bool,
        resource_names: Mapping[str, str] | None = None,
        call_log: CallLog = CALL_LOG,
        arns: Arns | None = None,
    ) -> None:
        self.roles = dict(roles)
        self.resource_names = dict(resource_names or {})
        self.enforce = enforce
        self.call_log = call_log
        self.arns = arns or Arns()
        # What AWS would know of every call a Lambda function makes this way.
        self.context = {"aws:RequestedRegion": REGION, "aws:SecureTransport": "true"}
        call_log.know_roles(self.roles)

    def check(self, function: str, call: AwsCall) -> Denial | None:
        role = self.roles.get(function)
        if role is None:
            return None  # a function this stack does not define (another stack's): not ours to judge
        decisions = [evaluate(role.statements, request, self.context) for request in call.requests]
        refused = next((d for d in decisions if not d.allowed), None)
        denial = None
        if refused is not None:
            denial = Denial(
                function=function,
                call=call.name,
                request=str(refused.request),
                aws_message=refused.aws_message(role),
                missing_grant=(
                    f"explicit Deny in {refused.denied_by.source}"
                    if refused.denied_by is not None
                    else self._grant_to_add(refused)
                ),
            )
            log.error("%s", denial.line())
        self.call_log.record(function, call, decisions, denial)
        if denial is not None:
            save_report()  # a stack killed later still leaves its denials behind
        return denial

    def _grant_to_add(self, refused: Decision) -> str:
        written = as_template_expression(refused.request.resource, self.resource_names)
        resource = f"{refused.request.resource} ({written})" if written else refused.request.resource
        return f"Allow {refused.request.action} on {resource}"


# --- activation --------------------------------------------------------------------------------

_active: list[IamCheck] = []
_active_lock = threading.Lock()


@contextmanager
def checking(check: IamCheck) -> Iterator[IamCheck]:
    activate(check)
    try:
        yield check
    finally:
        deactivate(check)


def activate(check: IamCheck) -> None:
    install_hooks()
    with _active_lock:
        _active.append(check)


def deactivate(check: IamCheck) -> None:
    with _active_lock:
        if check in _active:
            _active.remove(check)


def active_check() -> IamCheck | None:
    with _active_lock:
        return _active[-1] if _active else None


# --- botocore ----------------------------------------------------------------------------------

_installed = False


def install_hooks() -> None:
    """Give every botocore session created from now on the two handlers (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params", _keep_params))
    BUILTIN_HANDLERS.append(("before-call", _authorise))
    _installed = True


def _keep_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    function = current_function()
    if function is None or active_check() is None or context.get("auth_type") == "none":
        return
    context[_PENDING] = (function, dict(params))


def _authorise(model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
    pending = context.pop(_PENDING, None)
    check = active_check()
    if pending is None or check is None:
        return None
    function, params = pending
    call = describe_call(model.service_model.service_name, model.name, params, check.arns)
    denial = check.check(function, call)
    if denial is None or not check.enforce:
        return None
    return access_denied(model.service_model.service_name, denial.aws_message)


def access_denied(service: str, message: str) -> tuple[Any, dict[str, Any]]:
    """What botocore would have parsed from AWS's AccessDenied answer: the SDK raises its ClientError."""
    from botocore.awsrequest import AWSResponse

    code, status = _DENIAL_CODES.get(service, _DEFAULT_DENIAL)
    http = AWSResponse("https://localhost/iam-denied", status, {}, None)
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}},
    }
    return http, parsed
