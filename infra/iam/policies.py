"""Each function's execution role, as AWS will have it: template.yaml expanded by SAM's own translator.

The translator (aws-sam-translator, what `sam deploy` and CloudFormation run) turns each
function's `Policies` — inline statements and policy templates such as SQSSendMessagePolicy —
into an `AWS::IAM::Role` with inline policies and AWS-managed policy ARNs. The intrinsics left in
it (`!GetAtt RequestsTable.Arn`, `!Sub ...`, `!If [UseComprehend, ...]`) are then resolved with the
local stack's IntrinsicResolver, so the ARNs are exactly those of the tables, queues and buses that
the local stack or the tests created in moto.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from infra.local.template import ACCOUNT_ID, NO_VALUE, STACK_NAME, IntrinsicResolver, TemplateError

from .evaluate import Role, Statement

FUNCTION_TYPE = "AWS::Serverless::Function"
ROLE_TYPE = "AWS::IAM::Role"
# The translator wants code in S3; `sam deploy` uploads CodeUri and writes exactly this.
PLACEHOLDER_CODE_URI = "s3://corrigo-artifacts/lambda.zip"

# The AWS-managed policies SAM attaches (Lambda's own needs: logs, X-Ray, polling an SQS source),
# as AWS publishes them; offline there is no IAM to read them from.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
    ],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
    # What SAM attaches for a DynamoDB event: the stream reads Lambda's event source mapping makes.
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}  # fmt: skip


class UnknownManagedPolicy(ValueError):
    """A role names an AWS-managed policy whose document this module does not carry."""


def expand_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template as SAM's translator expands it (CloudFormation resources only)."""
    return copy.deepcopy(_expand(json.dumps(template, sort_keys=True)))


@lru_cache(maxsize=4)
def _expand(template_json: str) -> dict[str, Any]:
    # Imported here: the translator takes ~1 s to import, and only checks need it.
    from samtranslator.translator.transform import transform

    template = json.loads(template_json)
    globals_function = (template.get("Globals") or {}).get("Function") or {}
    if "CodeUri" in globals_function:
        globals_function["CodeUri"] = PLACEHOLDER_CODE_URI
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") == FUNCTION_TYPE and "CodeUri" in (resource.get("Properties") or {}):
            resource["Properties"]["CodeUri"] = PLACEHOLDER_CODE_URI

    class NoManagedPolicyNames:  # managed policies given by name would need IAM; the template uses none
        def load(self) -> dict[str, str]:
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    expanded: dict[str, Any] = transform(template, {}, NoManagedPolicyNames())
    return expanded


def function_roles(
    template: Mapping[str, Any], resolver: IntrinsicResolver, *, account: str = ACCOUNT_ID
) -> dict[str, Role]:
    """Each Serverless::Function's role by the function's logical id, its intrinsics resolved."""
    expanded = _expand(json.dumps(template, sort_keys=True))["Resources"]  # read only: no copy needed
    original = template.get("Resources") or {}
    roles = {}
    for logical_id, resource in original.items():
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            continue
        role_ref = (expanded.get(logical_id) or {}).get("Properties", {}).get("Role")
        role_id = role_ref.get("Fn::GetAtt", [None])[0] if isinstance(role_ref, dict) else None
        role = expanded.get(role_id or "") or {}
        if role.get("Type") != ROLE_TYPE:
            continue  # a role given by ARN is outside the template: nothing to check against
        policy_labels = _policy_labels((resource.get("Properties") or {}).get("Policies"))
        statements = _inline_statements(role["Properties"], resolver, policy_labels)
        statements += _managed_statements(role["Properties"])
        roles[logical_id] = Role(
            function=logical_id,
            role_name=f"{STACK_NAME}-{role_id}",
            session_name=str(resolver.ref(logical_id)),
            account=account,
            statements=tuple(statements),
        )
    return roles


def _policy_labels(policies: Any) -> dict[int, str]:
    """`Policies[1] SQSSendMessagePolicy`: SAM numbers its inline policies by their place in the list."""
    entries = policies if isinstance(policies, list) else [policies] if policies else []
    labels = {}
    for index, entry in enumerate(entries):
        kind = next(iter(entry)) if isinstance(entry, dict) and len(entry) == 1 else "inline"
        labels[index] = f"Policies[{index}]" + ("" if kind in ("Statement", "inline") else f" {kind}")
    return labels


def _inline_statements(
    role: Mapping[str, Any], resolver: IntrinsicResolver, labels: Mapping[int, str]
) -> list[Statement]:
    statements = []
    for policy in role.get("Policies") or []:
        name = str(policy.get("PolicyName"))
        number = name.rsplit("RolePolicy", 1)[-1]
        # `<Function>RolePolicy<N>` is the function's Policies[N]; any other inline policy is one SAM
        # adds for Lambda itself (e.g. the on-failure destination of an EventInvokeConfig).
        own = "RolePolicy" in name and number.isdigit()
        label = labels.get(int(number), name) if own else name
        written = policy["PolicyDocument"].get("Statement") or []
        resolved = resolver.resolve(written)
        # `!If [cond, statement, !Ref AWS::NoValue]` drops out when resolved: keep the pairs aligned.
        kept = [w for w in written if not _is_dropped(w, resolver)]
        for position, (raw, statement) in enumerate(zip(kept, resolved, strict=True)):
            statements.append(_statement(f"{label} #{position}", statement, raw, managed=not own))
    return statements


def _is_dropped(statement: Any, resolver: IntrinsicResolver) -> bool:
    return isinstance(statement, dict) and "Fn::If" in statement and resolver.resolve(statement) is NO_VALUE


def _managed_statements(role: Mapping[str, Any]) -> list[Statement]:
    statements = []
    for arn in role.get("ManagedPolicyArns") or []:
        if not isinstance(arn, str) or arn not in MANAGED_POLICIES:
            raise UnknownManagedPolicy(f"{arn!r}: add its document to infra/iam/policies.py MANAGED_POLICIES")
        name = arn.rsplit("/", 1)[-1]
        for number, statement in enumerate(MANAGED_POLICIES[arn]):
            statements.append(_statement(f"{name} #{number}", statement, statement, managed=True))
    return statements


def _statement(source: str, statement: Mapping[str, Any], raw: Any, *, managed: bool) -> Statement:
    raw_resources = raw.get("Resource") if isinstance(raw, dict) and "Fn::If" not in raw else statement.get("Resource")
    return Statement(
        source=source,
        effect=str(statement.get("Effect")),
        actions=_strings(statement.get("Action")),
        not_actions=_strings(statement["NotAction"]) if "NotAction" in statement else None,
        resources=_strings(statement.get("Resource")),
        not_resources=_strings(statement["NotResource"]) if "NotResource" in statement else None,
        condition=statement.get("Condition"),
        template_resources=tuple(_as_written(r) for r in _list(raw_resources)),
        managed=managed,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in _list(value))


def _as_written(value: Any) -> str:
    """A resource as the template writes it: `${RequestsTable.Arn}/index/*`, `!GetAtt RawMailBucket.Arn`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Fn::GetAtt":
            return "!GetAtt " + ".".join(argument) if isinstance(argument, list) else f"!GetAtt {argument}"
        if key == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) else argument
            variables = argument[1] if isinstance(argument, list) else {}
            for name, variable in variables.items():
                text = text.replace("${" + name + "}", "${" + _as_written(variable).removeprefix("!GetAtt ") + "}")
            return f"!Sub {text}"
        if key == "Ref":
            return f"!Ref {argument}"
    return json.dumps(value)


def resource_names(template: Mapping[str, Any], resolver: IntrinsicResolver) -> dict[str, str]:
    """Each created resource's ARN → how the template names it (`${RequestsTable.Arn}`), for messages."""
    names = {}
    for logical_id in template.get("Resources") or {}:
        try:
            arn = resolver.get_att(logical_id, "Arn")
        except TemplateError:  # not created here, or no Arn attribute: nothing to name it by
            arn = None
        if isinstance(arn, str) and arn.startswith("arn:"):
            names[arn] = "${" + logical_id + ".Arn}"
    return names


def as_template_expression(resource: str, names: Mapping[str, str]) -> str | None:
    """`arn:...:table/corrigo-local-RequestsTable/index/article` → `${RequestsTable.Arn}/index/article`."""
    for arn, name in sorted(names.items(), key=lambda item: -len(item[0])):
        if resource == arn or resource.startswith(arn + "/"):
            return name + resource[len(arn) :]
    return None
