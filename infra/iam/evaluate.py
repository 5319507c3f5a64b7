"""IAM's identity-policy evaluation for one request: an explicit Deny wins, else some Allow must match.

Actions match case-insensitively, resources case-sensitively, both with `*` and `?` wildcards;
an ARN pattern is matched segment by segment (the six colon-separated parts), so a wildcard in
the resource part never reaches into the account or region. NotAction and NotResource are
honoured. Conditions are evaluated when their operator and key are known (String*, Arn*, Bool,
with IfExists, against the keys in the request context); any other condition is *assumed* to
hold for an Allow and not to hold for a Deny, and the decision says which ones were assumed.
Resource-based policies, permission boundaries and SCPs are not evaluated: a function's role is
the only policy between its code and the project's own resources here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .arns import AuthorizationRequest


@dataclass(frozen=True)
class Statement:
    """One statement of a role's policy, intrinsics resolved."""

    source: str  # where it comes from, e.g. "IntakeWorkerFunctionRolePolicy0 (Policies[0]) #1"
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] | None = None
    condition: Mapping[str, Any] | None = None
    # How the template writes each of `resources` (e.g. "${RequestsTable.Arn}/index/*"), for messages.
    template_resources: tuple[str, ...] = ()
    # Granted by SAM for Lambda itself (AWS-managed: logs, X-Ray, the SQS poller; an on-failure
    # destination), not by the template's Policies: left out of the least-privilege report.
    managed: bool = False


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of one Allow statement: the unit of least privilege."""

    source: str
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.action} on {self.resource} ({self.source})"


@dataclass(frozen=True)
class Role:
    """A function's execution role: who AWS says is calling, and the statements of its policies."""

    function: str  # logical id
    role_name: str
    session_name: str  # Lambda names the role session after the function
    account: str
    statements: tuple[Statement, ...]

    @property
    def principal_arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"

    def grants(self) -> list[Grant]:
        """Every grant of the template's own statements (not the AWS-managed ones)."""
        return [
            Grant(statement.source, action, resource)
            for statement in self.statements
            if statement.effect == "Allow" and not statement.managed
            for action in statement.actions
            for resource in statement.resources
        ]


@dataclass(frozen=True)
class Decision:
    request: AuthorizationRequest
    allowed: bool
    denied_by: Statement | None = None  # an explicit Deny
    grants_used: tuple[Grant, ...] = ()
    assumed_conditions: tuple[str, ...] = field(default=())

    def aws_message(self, role: Role) -> str:
        """The sentence AWS puts in AccessDenied, word for word in its shape."""
        why = (
            "with an explicit deny in an identity-based policy"
            if self.denied_by is not None
            else f"because no identity-based policy allows the {self.request.action} action"
        )
        return (
            f"User: {role.principal_arn} is not authorized to perform: {self.request.action} "
            f"on resource: {self.request.resource} {why}"
        )


# --- matching --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def action_matches(pattern: str, action: str) -> bool:
    return _wildcard(pattern, True).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("arn:") and resource.startswith("arn:"):
        pattern_parts, resource_parts = pattern.split(":", 5), resource.split(":", 5)
        if len(pattern_parts) == len(resource_parts) == 6:
            return all(
                _wildcard(p, False).fullmatch(r) is not None for p, r in zip(pattern_parts, resource_parts, strict=True)
            )
    return _wildcard(pattern, False).fullmatch(resource) is not None


def _covers_action(statement: Statement, action: str) -> list[str]:
    """The action patterns of the statement that match (for NotAction: a marker when it applies)."""
    if statement.not_actions is not None:
        return [] if any(action_matches(p, action) for p in statement.not_actions) else [f"NotAction:{action}"]
    return [p for p in statement.actions if action_matches(p, action)]


def _covers_resource(statement: Statement, resource: str) -> list[str]:
    if statement.not_resources is not None:
        return [] if any(resource_matches(p, resource) for p in statement.not_resources) else ["NotResource"]
    return [p for p in statement.resources if resource_matches(p, resource)]


# --- conditions ------------------------------------------------------------------------------

_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringNotEquals": lambda value, wanted: value != wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.lower() == wanted.lower(),
    "StringNotEqualsIgnoreCase": lambda value, wanted: value.lower() != wanted.lower(),
    "StringLike": lambda value, wanted: _wildcard(wanted, False).fullmatch(value) is not None,
    "StringNotLike": lambda value, wanted: _wildcard(wanted, False).fullmatch(value) is None,
    "ArnEquals": lambda value, wanted: value == wanted,
    "ArnNotEquals": lambda value, wanted: value != wanted,
    "ArnLike": resource_matches,
    "ArnNotLike": lambda value, wanted: not resource_matches(wanted, value),
    "Bool": lambda value, wanted: value.lower() == str(wanted).lower(),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def condition_holds(condition: Mapping[str, Any], context: Mapping[str, str]) -> tuple[bool, list[str]]:
    """(holds, the parts that could not be evaluated and were assumed to hold)."""
    assumed: list[str] = []
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        test = _STRING_TESTS.get(base)
        for key, wanted in (tests or {}).items():
            wanted_values = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
            if test is None or (key not in context and not operator.endswith("IfExists")):
                assumed.append(f"{operator} {key}")
                continue
            if key not in context:  # ...IfExists on an absent key holds
                continue
            value = context[key]
            results = [test(value, w) for w in wanted_values]
            if not (all(results) if base in _NEGATED else any(results)):
                return False, assumed
    return True, assumed


# --- the decision ----------------------------------------------------------------------------


def evaluate(
    statements: Sequence[Statement], request: AuthorizationRequest, context: Mapping[str, str] | None = None
) -> Decision:
    context = context or {}
    used: list[Grant] = []
    assumed: list[str] = []
    for statement in statements:
        actions = _covers_action(statement, request.action)
        resources = _covers_resource(statement, request.resource) if actions else []
        if not resources:
            continue
        holds, unknown = condition_holds(statement.condition, context) if statement.condition else (True, [])
        if statement.effect == "Deny":
            if holds and not unknown:
                return Decision(request, False, denied_by=statement)
            assumed.extend(f"{statement.source}: Deny if {part} (assumed not to hold)" for part in unknown)
            continue
        if not holds:
            continue
        assumed.extend(f"{statement.source}: Allow if {part} (assumed to hold)" for part in unknown)
        used.extend(Grant(statement.source, a, r) for a in actions for r in resources)
    return Decision(request, bool(used), grants_used=tuple(used), assumed_conditions=tuple(assumed))
