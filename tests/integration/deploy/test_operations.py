"""The operations model in template.yaml: what is watched, where alarms go, what is logged and kept.

Read from the template (and, for the schedule, from SAM's own expansion of it): every function has
Errors and Throttles alarms and a log group kept for LogRetentionDays; every queue has an age alarm
and every dead-letter queue a depth alarm; every alarm notifies the alarm topic; the dashboard is
valid JSON once substituted and shows every function, queue and alarm; SES may send only as the
identity the template verifies; the deadline schedule retries and keeps what still fails.
docs/operations.md says what each alarm means and what to do.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from infra.local.template import IntrinsicResolver, load_template, resolve_parameters
from tests.support.aws import ROOT

# RetentionInDays values CloudWatch Logs accepts (PutRetentionPolicy, AWS::Logs::LogGroup).
CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]  # fmt: skip
SES_SEND_ACTIONS = {"ses:SendEmail", "ses:SendRawEmail"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: r.get("Properties") or {} for k, r in template["Resources"].items() if r["Type"] == resource_type}


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _of_type(template, "AWS::CloudWatch::Alarm")


def _watching(template: dict[str, Any], namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in _alarms(template).values() if a.get("Namespace") == namespace and a.get("MetricName") == metric]


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    return next((d["Value"] for d in alarm.get("Dimensions") or [] if d["Name"] == name), None)


def _getatt_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        getatt = value["Fn::GetAtt"]
        return str(getatt[0] if isinstance(getatt, list) else getatt.split(".")[0])
    return None


def _dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """Redrive targets, plus the queues that take an asynchronous invoke's or a schedule's failures."""
    found = {
        _getatt_target(q["RedrivePolicy"]["deadLetterTargetArn"])
        for q in _queues(template).values()
        if "RedrivePolicy" in q
    }
    for function in _of_type(template, "AWS::Serverless::Function").values():
        on_failure = ((function.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}
        found.add(_getatt_target(on_failure.get("Destination")))
        for event in (function.get("Events") or {}).values():
            found.add(_getatt_target(((event.get("Properties") or {}).get("DeadLetterConfig") or {}).get("Arn")))
    return {name for name in found if name}


def _queues(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _of_type(template, "AWS::SQS::Queue")


# ---- functions ---------------------------------------------------------------------------------


def test_every_function_has_an_errors_and_a_throttles_alarm(template):
    functions = set(_of_type(template, "AWS::Serverless::Function"))
    assert len(functions) >= 5

    for metric in ("Errors", "Throttles"):
        watched = {_dimension(a, "FunctionName").get("Ref") for a in _watching(template, "AWS/Lambda", metric)}
        assert watched >= functions, f"no {metric} alarm for {sorted(functions - watched)}"
        for alarm in _watching(template, "AWS/Lambda", metric):
            assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
                "Sum",
                0,
                "GreaterThanThreshold",
            )


def test_every_function_has_a_log_group_kept_for_the_retention_parameter(template):
    groups = _of_type(template, "AWS::Logs::LogGroup")
    by_function = {g["LogGroupName"]["Fn::Sub"].removeprefix("/aws/lambda/${").rstrip("}"): g for g in groups.values()}

    assert set(by_function) == set(_of_type(template, "AWS::Serverless::Function"))
    for group in groups.values():
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    for logical_id in groups:  # logs the law asks for outlive a deleted stack
        assert template["Resources"][logical_id]["DeletionPolicy"] == "Retain"


def test_log_group_names_match_the_functions_names(template):
    """`/aws/lambda/<the function's name>` is where Lambda writes: resolve both with the same names."""
    resolver = IntrinsicResolver(template, resolve_parameters(template))
    for logical_id in template["Resources"]:
        resolver.register(logical_id, f"stack-{logical_id}-A1B2C3", {})
    for function in _of_type(template, "AWS::Serverless::Function"):
        group = template["Resources"][f"{function}LogGroup"]["Properties"]
        assert resolver.resolve(group["LogGroupName"]) == f"/aws/lambda/stack-{function}-A1B2C3"


def test_retention_defaults_to_six_months_and_allows_what_cloudwatch_accepts(template):
    parameter = template["Parameters"]["LogRetentionDays"]

    # Cybersecurity Law Art. 21: at least six months. 180 days is shorter than most six-month spans
    # (up to 184 days), and CloudWatch accepts nothing between 180 and 365.
    assert int(parameter["Default"]) >= 184
    assert parameter["AllowedValues"] == [str(days) for days in CLOUDWATCH_RETENTION_DAYS]
    # Overrides arrive as strings (sam deploy, the local stack's --param): they must be accepted as such.
    assert resolve_parameters(template, {"LogRetentionDays": "365"})["LogRetentionDays"] == "365"


# ---- queues ------------------------------------------------------------------------------------


def test_every_queue_has_an_age_of_oldest_message_alarm(template):
    watched = {
        _getatt_target(_dimension(a, "QueueName"))
        for a in _watching(template, "AWS/SQS", "ApproximateAgeOfOldestMessage")
    }

    assert watched >= set(_queues(template)), f"no age alarm for {sorted(set(_queues(template)) - watched)}"


def test_dead_letter_ages_alarm_before_the_messages_expire(template):
    for alarm in _watching(template, "AWS/SQS", "ApproximateAgeOfOldestMessage"):
        queue = _getatt_target(_dimension(alarm, "QueueName"))
        if queue in _dead_letter_queues(template):
            retention = _queues(template)[queue]["MessageRetentionPeriod"]
            assert alarm["Threshold"] < retention - 3 * 86400, f"{queue}: less than 3 days left to act"


def test_every_dead_letter_queue_has_a_depth_alarm_that_fires_on_one_message(template):
    dead_letter_queues = _dead_letter_queues(template)
    assert {"IntakeDeadLetterQueue", "MailIntakeDeadLetterQueue", "DeadlineSweepDeadLetterQueue"} <= dead_letter_queues

    depth = _watching(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    watched = {_getatt_target(_dimension(a, "QueueName")): a for a in depth}
    for queue in dead_letter_queues:
        assert queue in watched, f"no alarm on dead-letter queue {queue}"
        alarm = watched[queue]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


# ---- the API and SES ---------------------------------------------------------------------------


def test_the_api_5xx_rate_is_metric_math_over_its_requests(template):
    (alarm,) = [a for a in _alarms(template).values() if "Metrics" in a]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    returned = [m for m in alarm["Metrics"] if m.get("ReturnData", True)]

    assert len(returned) == 1 and "errors / requests" in returned[0]["Expression"]
    for metric_id, name in (("errors", "5xx"), ("requests", "Count")):
        metric = metrics[metric_id]["MetricStat"]["Metric"]
        assert (metric["Namespace"], metric["MetricName"]) == ("AWS/ApiGateway", name)
        assert metric["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]


def test_the_api_p99_latency_is_watched(template):
    (alarm,) = _watching(template, "AWS/ApiGateway", "Latency")

    assert alarm["ExtendedStatistic"] == "p99"
    assert _dimension(alarm, "ApiId") == {"Ref": "HttpApi"}


@pytest.mark.parametrize(
    ("metric", "thresholds"),
    [("Reputation.BounceRate", {0.05, 0.1}), ("Reputation.ComplaintRate", {0.001, 0.005})],
)
def test_ses_reputation_alarms_sit_at_the_review_and_suspension_rates(template, metric, thresholds):
    alarms = _watching(template, "AWS/SES", metric)

    assert {a["Threshold"] for a in alarms} == thresholds
    assert {a["ComparisonOperator"] for a in alarms} == {"GreaterThanOrEqualToThreshold"}


# ---- where alarms go ---------------------------------------------------------------------------


def test_every_alarm_notifies_the_alarm_topic_and_its_return_to_ok(template):
    for name, alarm in _alarms(template).items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm.get("InsufficientDataActions", [{"Ref": "AlarmTopic"}]) == [{"Ref": "AlarmTopic"}], name
        assert alarm["AlarmDescription"].endswith("see docs/operations.md."), name


def test_the_alarm_topic_key_is_ours_and_rotates(template):
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    key = template["Resources"][topic["KmsMasterKeyId"]["Ref"]]

    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_every_alarm_is_explained_in_the_operations_guide(template):
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")

    missing = [name for name in _alarms(template) if f"`{name}`" not in guide]

    assert not missing, f"docs/operations.md does not explain {missing}"


# ---- the dashboard -----------------------------------------------------------------------------


def _substituted_dashboard(template: dict[str, Any]) -> tuple[dict[str, Any], IntrinsicResolver]:
    resolver = IntrinsicResolver(template, resolve_parameters(template))
    for logical_id in template["Resources"]:
        resolver.register(
            logical_id, f"ref-{logical_id}", {"Arn": f"arn-{logical_id}", "QueueName": f"queue-{logical_id}"}
        )
    (dashboard,) = _of_type(template, "AWS::CloudWatch::Dashboard").values()
    return json.loads(resolver.resolve(dashboard["DashboardBody"])), resolver


def test_the_dashboard_is_json_and_shows_every_function_queue_and_alarm(template):
    body, _ = _substituted_dashboard(template)
    text = json.dumps(body)

    assert body["widgets"]
    for function in _of_type(template, "AWS::Serverless::Function"):
        assert f'"ref-{function}"' in text, function
    for queue in _queues(template):
        assert f'"queue-{queue}"' in text, queue
    (alarm_widget,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert set(alarm_widget["properties"]["alarms"]) == {f"arn-{name}" for name in _alarms(template)}
    assert "${" not in text  # every variable substituted
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {"us-east-1"}


# ---- SES send permission -----------------------------------------------------------------------


def _ses_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, function in _of_type(template, "AWS::Serverless::Function").items():
        for policy in function.get("Policies") or []:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                actions = statement.get("Action") if isinstance(statement, dict) else None
                if actions and SES_SEND_ACTIONS & set(actions if isinstance(actions, list) else [actions]):
                    found.append((name, statement))
    return found


def test_ses_send_is_scoped_to_the_verified_identity_and_the_configuration_set(template):
    statements = _ses_statements(template)
    # Every mail is a promise in the outbox (docs/architecture.md): only its consumer sends.
    assert {name for name, _ in statements} == {"OutboxDeliveryFunction"}

    for name, statement in statements:
        resources = [r["Fn::Sub"] for r in statement["Resource"]]
        assert not [r for r in resources if r.endswith("identity/*")], f"{name} may send as any identity"
        assert sorted(r.rsplit(":", 1)[1] for r in resources) == [
            "configuration-set/${MailConfigurationSet}",
            "identity/${SenderIdentity}",
        ], name


def test_the_default_sender_is_on_the_identity_the_template_verifies(template):
    """SES authorises a send against the From address's domain identity: it must be SenderIdentity."""
    resolver = IntrinsicResolver(template, resolve_parameters(template))
    identity = resolver.resolve(template["Resources"]["SenderIdentity"]["Properties"]["EmailIdentity"])
    sender = template["Parameters"]["SenderAddress"]["Default"]

    assert sender.rsplit("@", 1)[1].rstrip(">") == identity


# ---- the deadline schedule ---------------------------------------------------------------------


def test_the_deadline_schedule_retries_and_keeps_what_still_fails(template):
    sweep = template["Resources"]["DeadlineSweepFunction"]["Properties"]
    (event,) = sweep["Events"].values()
    props = event["Properties"]

    assert event["Type"] == "ScheduleV2"
    assert props["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert 0 < props["RetryPolicy"]["MaximumEventAgeInSeconds"] < 15 * 60  # stale once the next sweep is due
    queue = _getatt_target(props["DeadLetterConfig"]["Arn"])
    assert _queues(template)[queue]["SqsManagedSseEnabled"] is True
    # The Scheduler invokes Lambda asynchronously: a failing sweep is Lambda's to retry and record.
    on_failure = sweep["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert (on_failure["Type"], _getatt_target(on_failure["Destination"])) == ("SQS", queue)


def test_sam_expands_the_schedule_with_its_retries_dead_letter_queue_and_grants(template, monkeypatch):
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    source = copy.deepcopy(template)
    source["Globals"]["Function"]["CodeUri"] = "s3://corrigo-artifacts/lambda.zip"

    class NoManagedPolicies:
        def load(self):
            return {}

    resources = transform(source, {}, NoManagedPolicies())["Resources"]
    (schedule,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Scheduler::Schedule" and "DeadlineSweepFunction" in json.dumps(r["Properties"]["Target"])
    ]
    target = schedule["Target"]
    dead_letter_arn = {"Fn::GetAtt": ["DeadlineSweepDeadLetterQueue", "Arn"]}

    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"] == {"Arn": dead_letter_arn}
    role = resources[target["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert any("sqs:SendMessage" in json.dumps(s) and s["Resource"] == dead_letter_arn for s in statements)
    (invoke_config,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig" and "DeadlineSweepFunction" in json.dumps(r["Properties"])
    ]
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == dead_letter_arn
