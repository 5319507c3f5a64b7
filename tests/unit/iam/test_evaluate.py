"""The matcher: an explicit Deny wins, else an Allow must match the action and the resource."""

import pytest

from infra.iam.arns import AuthorizationRequest
from infra.iam.evaluate import Grant, Role, Statement, action_matches, evaluate, resource_matches

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Requests"


def allow(actions, resources, **extra):
    return Statement("Policies[0] #0", "Allow", tuple(actions), resources=tuple(resources), **extra)


def ask(action, resource):
    return AuthorizationRequest(action, resource)


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("dynamodb:Query", "dynamodb:Query", True),
        ("DynamoDB:query", "dynamodb:Query", True),  # actions are case-insensitive
        ("sqs:SendMessage*", "sqs:SendMessage", True),
        ("sqs:SendMessage*", "sqs:ReceiveMessage", False),
        ("dynamodb:*Item", "dynamodb:ConditionCheckItem", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("*", "events:PutEvents", True),
        ("dynamodb:Query", "dynamodb:QueryX", False),
    ],
)
def test_action_wildcards(pattern, action, matches):
    assert action_matches(pattern, action) is matches


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        (TABLE, TABLE, True),
        (TABLE, f"{TABLE}/index/article", False),  # the issue-8 bug: the table's ARN is not its index's
        (f"{TABLE}/index/*", f"{TABLE}/index/article", True),
        (f"{TABLE}/index/queue", f"{TABLE}/index/article", False),
        ("arn:aws:s3:::raw/inbound/*", "arn:aws:s3:::raw/inbound/2026/abc", True),
        ("arn:aws:s3:::raw/inbound/*", "arn:aws:s3:::raw/attachments/x", False),
        ("arn:aws:dynamodb:*:*:table/Requests", TABLE, True),
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/*",
            "arn:aws:dynamodb:us-east-1:999999999999:table/Requests",
            False,
        ),
        ("arn:aws:sqs:*:123456789012:*", "arn:aws:sqs:eu-west-1:123456789012:q", True),
        ("arn:aws:s3:::Raw/*", "arn:aws:s3:::raw/x", False),  # resources are case-sensitive
        ("*", "anything", True),
    ],
)
def test_resource_wildcards_match_segment_by_segment(pattern, resource, matches):
    assert resource_matches(pattern, resource) is matches


def test_an_allow_on_the_table_does_not_cover_its_index():
    statements = [allow(["dynamodb:Query", "dynamodb:GetItem"], [TABLE])]
    assert evaluate(statements, ask("dynamodb:Query", TABLE)).allowed
    denied = evaluate(statements, ask("dynamodb:Query", f"{TABLE}/index/article"))
    assert not denied.allowed and denied.denied_by is None


def test_the_grants_that_allowed_a_request_are_reported():
    statements = [
        allow(["dynamodb:Query"], [TABLE, f"{TABLE}/index/*"]),
        Statement("Policies[1] #0", "Allow", ("dynamodb:*",), resources=("*",)),
    ]
    decision = evaluate(statements, ask("dynamodb:Query", f"{TABLE}/index/article"))
    assert set(decision.grants_used) == {
        Grant("Policies[0] #0", "dynamodb:Query", f"{TABLE}/index/*"),
        Grant("Policies[1] #0", "dynamodb:*", "*"),
    }


def test_an_explicit_deny_wins_over_any_allow():
    statements = [
        Statement("p #0", "Allow", ("s3:*",), resources=("*",)),
        Statement("p #1", "Deny", ("s3:DeleteObject",), resources=("arn:aws:s3:::raw/*",)),
    ]
    decision = evaluate(statements, ask("s3:DeleteObject", "arn:aws:s3:::raw/inbound/a"))
    assert not decision.allowed and decision.denied_by is statements[1]
    assert evaluate(statements, ask("s3:GetObject", "arn:aws:s3:::raw/inbound/a")).allowed


def test_not_action_and_not_resource():
    everything_but_delete = Statement("p #0", "Allow", not_actions=("s3:Delete*",), resources=("*",))
    assert evaluate([everything_but_delete], ask("s3:GetObject", "arn:aws:s3:::b/k")).allowed
    assert not evaluate([everything_but_delete], ask("s3:DeleteObject", "arn:aws:s3:::b/k")).allowed
    outside_secret = Statement("p #0", "Allow", ("s3:GetObject",), not_resources=("arn:aws:s3:::b/secret/*",))
    assert evaluate([outside_secret], ask("s3:GetObject", "arn:aws:s3:::b/public/k")).allowed
    assert not evaluate([outside_secret], ask("s3:GetObject", "arn:aws:s3:::b/secret/k")).allowed


def test_known_conditions_are_evaluated_and_unknown_ones_are_said_to_be_assumed():
    in_region = allow(["sqs:SendMessage"], ["*"], condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})
    context = {"aws:RequestedRegion": "eu-west-1"}
    assert not evaluate([in_region], ask("sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:q"), context).allowed
    assert evaluate(
        [in_region], ask("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"), {"aws:RequestedRegion": "us-east-1"}
    ).allowed

    tagged = allow(
        ["dynamodb:GetItem"], [TABLE], condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["a"]}}
    )
    decision = evaluate([tagged], ask("dynamodb:GetItem", TABLE), {})
    assert decision.allowed
    assert decision.assumed_conditions == (
        "Policies[0] #0: Allow if ForAllValues:StringEquals dynamodb:LeadingKeys (assumed to hold)",
    )

    deny_insecure = Statement(
        "p #1", "Deny", ("*",), resources=("*",), condition={"Bool": {"aws:SecureTransport": "false"}}
    )
    allowed = [allow(["s3:GetObject"], ["*"]), deny_insecure]
    assert evaluate(allowed, ask("s3:GetObject", "arn:aws:s3:::b/k"), {"aws:SecureTransport": "true"}).allowed
    assert not evaluate(allowed, ask("s3:GetObject", "arn:aws:s3:::b/k"), {"aws:SecureTransport": "false"}).allowed


def test_if_exists_holds_when_the_key_is_absent():
    statement = allow(["sns:Publish"], ["*"], condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}})
    decision = evaluate([statement], ask("sns:Publish", "arn:aws:sns:us-east-1:1:t"), {})
    assert decision.allowed and not decision.assumed_conditions


def test_the_denial_message_has_aws_shape():
    role = Role("IntakeWorkerFunction", "stack-IntakeWorkerFunctionRole", "corrigo-IntakeWorker", "123456789012", ())
    decision = evaluate(role.statements, ask("dynamodb:Query", f"{TABLE}/index/article"))
    assert decision.aws_message(role) == (
        "User: arn:aws:sts::123456789012:assumed-role/stack-IntakeWorkerFunctionRole/corrigo-IntakeWorker is not "
        f"authorized to perform: dynamodb:Query on resource: {TABLE}/index/article because no identity-based "
        "policy allows the dynamodb:Query action"
    )


def test_a_roles_grants_leave_out_what_sam_grants_lambda_itself():
    role = Role(
        "F",
        "r",
        "f",
        "1",
        (
            allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE]),
            Statement("AWSLambdaBasicExecutionRole #0", "Allow", ("logs:*",), resources=("*",), managed=True),
        ),
    )
    assert [str(g) for g in role.grants()] == [
        f"dynamodb:GetItem on {TABLE} (Policies[0] #0)",
        f"dynamodb:Query on {TABLE} (Policies[0] #0)",
    ]
