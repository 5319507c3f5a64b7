"""Every alarm reaches someone: each action is an SNS topic CloudWatch may publish to (issue 8, failure 3).

CloudWatch publishes an alarm's notification as the service principal cloudwatch.amazonaws.com. To an
encrypted topic that needs kms:GenerateDataKey* and kms:Decrypt on the topic's key, which only the
policy of a customer-managed key can grant: the AWS-managed `alias/aws/sns` key's policy is AWS's and
admits no service principal, so alarms on such a topic deploy cleanly and are dropped without a trace.
This reads template.yaml as CloudFormation would and follows each alarm action to its topic, the
topic's key policy and the topic's policy.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from infra.local.template import load_template
from tests.support.aws import ROOT

CLOUDWATCH = "cloudwatch.amazonaws.com"
# What SNS asks KMS for when CloudWatch publishes to an encrypted topic.
KMS_ACTIONS_CLOUDWATCH_NEEDS = ("kms:GenerateDataKey", "kms:Decrypt")
# Conditions CloudWatch's request context carries (confused-deputy guards); any other would never match.
CONDITION_KEYS_CLOUDWATCH_SENDS = {"aws:sourceaccount", "aws:sourcearn"}
ACTION_KEYS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def _resources() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")["Resources"]


def _branches(value: Any) -> list[Any]:
    """Every value an `Fn::If` may take (both sides), without `AWS::NoValue`."""
    if isinstance(value, dict) and "Fn::If" in value:
        _, when_true, when_false = value["Fn::If"]
        return [*_branches(when_true), *_branches(when_false)]
    if value is None or value == {"Ref": "AWS::NoValue"}:
        return []
    return [value]


def _as_list(value: Any) -> list[Any]:
    found: list[Any] = []
    for branch in _branches(value):
        if isinstance(branch, list):
            for item in branch:
                found.extend(_branches(item))
        else:
            found.append(branch)
    return found


def _target(value: Any) -> str | None:
    """The logical id a Ref or GetAtt names, else None (a literal ARN or alias)."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        getatt = value["Fn::GetAtt"]
        return str(getatt[0] if isinstance(getatt, list) else getatt.split(".")[0])
    return None


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement") or []
    return [s for item in _as_list(statements) for s in ([item] if isinstance(item, dict) else [])]


def _services(statement: dict[str, Any]) -> set[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return {"*"}
    if not isinstance(principal, dict):
        return set()
    services = {str(s) for s in _as_list(principal.get("Service"))}
    if principal.get("AWS") == "*":
        services.add("*")
    return services


def _covers(statement: dict[str, Any], action: str) -> bool:
    patterns = [str(a).lower() for a in _as_list(statement.get("Action"))]
    return any(fnmatchcase(action.lower(), pattern) for pattern in patterns)


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    return {key.lower() for operator in (statement.get("Condition") or {}).values() for key in operator}


def _allows(document: dict[str, Any], action: str, resource_ok: Any) -> bool:
    """An unconditioned (or confused-deputy-guarded) Allow for CloudWatch, and no Deny that catches it."""
    allowed = False
    for statement in _statements(document):
        applies = _services(statement) & {CLOUDWATCH, "*"} and _covers(statement, action)
        if not applies:
            continue
        if statement.get("Effect") == "Deny" and not statement.get("Condition"):
            return False
        if (
            statement.get("Effect") == "Allow"
            and _condition_keys(statement) <= CONDITION_KEYS_CLOUDWATCH_SENDS
            and resource_ok(_as_list(statement.get("Resource")))
        ):
            allowed = True
    return allowed


def _key_problem(resources: dict[str, Any], topic_id: str, key_ref: Any) -> str | None:
    key_id = _target(key_ref)
    if key_id is None or resources.get(key_id, {}).get("Type") != "AWS::KMS::Key":
        return (
            f"{topic_id} is encrypted with {key_ref!r}, not a customer-managed AWS::KMS::Key of this template: "
            f"CloudWatch (the service principal {CLOUDWATCH}) cannot be granted that key, so it cannot publish"
        )
    policy = resources[key_id].get("Properties", {}).get("KeyPolicy") or {}
    missing = [
        action for action in KMS_ACTIONS_CLOUDWATCH_NEEDS if not _allows(policy, action, lambda granted: "*" in granted)
    ]
    if missing:
        return f"{topic_id}'s key {key_id} does not let {CLOUDWATCH} use it: no Allow for {', '.join(missing)}"
    return None


def _topic_policy_problem(resources: dict[str, Any], topic_id: str) -> str | None:
    policies = [
        r["Properties"]
        for r in resources.values()
        if r.get("Type") == "AWS::SNS::TopicPolicy"
        and topic_id in {_target(t) for t in _as_list(r["Properties"]["Topics"])}
    ]
    if not policies:
        return None  # the default topic policy lets this account's services (CloudWatch included) publish

    def names_topic(granted: list[Any]) -> bool:
        return any(g == "*" or _target(g) == topic_id for g in granted)

    if any(_allows(p["PolicyDocument"], "sns:Publish", names_topic) for p in policies):
        return None
    return f"{topic_id}'s topic policy does not let {CLOUDWATCH} call sns:Publish on it"


def delivery_problems(resources: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for alarm_id, alarm in resources.items():
        if alarm.get("Type") != "AWS::CloudWatch::Alarm":
            continue
        properties = alarm.get("Properties") or {}
        if not _as_list(properties.get("AlarmActions")):
            problems.append(f"{alarm_id} has no AlarmActions: it tells nobody")
        for key in ACTION_KEYS:
            for action in _as_list(properties.get(key)):
                topic_id = _target(action)
                topic = resources.get(topic_id or "", {})
                if topic.get("Type") != "AWS::SNS::Topic":
                    problems.append(f"{alarm_id}.{key} names {action!r}, not an SNS topic of this template")
                    continue
                key_ref = (topic.get("Properties") or {}).get("KmsMasterKeyId")
                for problem in (
                    _key_problem(resources, topic_id, key_ref) if key_ref else None,
                    _topic_policy_problem(resources, topic_id),
                ):
                    if problem:
                        problems.append(f"{alarm_id}.{key}: {problem}")
    return problems


def test_every_alarm_action_reaches_a_topic_cloudwatch_may_publish_to():
    resources = _resources()
    assert any(r.get("Type") == "AWS::CloudWatch::Alarm" for r in resources.values())

    problems = delivery_problems(resources)

    assert not problems, "alarms that would reach nobody:\n" + "\n".join(problems)


def test_the_check_catches_each_way_an_alarm_goes_silent():
    """The checker itself, on small templates: each broken link is named, the working shapes pass."""
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmActions": [{"Ref": "Topic"}]}}
    good_key_policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
            }
        ]
    }
    key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": good_key_policy}}

    def template(topic_properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"Alarm": alarm, "Topic": {"Type": "AWS::SNS::Topic", "Properties": topic_properties}, **extra}

    assert delivery_problems(template({})) == []  # unencrypted, default topic policy
    assert delivery_problems(template({"KmsMasterKeyId": {"Ref": "Key"}}, Key=key)) == []
    assert "not a customer-managed" in delivery_problems(template({"KmsMasterKeyId": "alias/aws/sns"}))[0]

    sns_only = {"Statement": [{**good_key_policy["Statement"][0], "Principal": {"Service": "sns.amazonaws.com"}}]}
    broken_key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": sns_only}}
    assert (
        "does not let cloudwatch" in delivery_problems(template({"KmsMasterKeyId": {"Ref": "Key"}}, Key=broken_key))[0]
    )

    ses_only_policy = {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {
            "Topics": [{"Ref": "Topic"}],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ses.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": {"Ref": "Topic"},
                    }
                ]
            },
        },
    }
    assert "topic policy" in delivery_problems(template({}, Policy=ses_only_policy))[0]
    silent = {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}}}
    assert "tells nobody" in delivery_problems(silent)[0]
