"""The botocore hook: a call inside a function is checked; AccessDenied comes back as AWS shapes it."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from infra.iam.evaluate import Role, Statement
from infra.iam.recorder import CallLog, IamCheck, checking, install_hooks
from infra.local.invocation import invoking

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Requests"


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: object):
        yield self._data


@pytest.fixture
def dynamodb():
    """A client whose requests never leave the process: each one sent is kept, and answered `{}`."""
    install_hooks()  # before the session is made: botocore copies its handlers then
    client = boto3.session.Session().client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    sent = []

    def answer(request, **_):
        sent.append(json.loads(request.body))
        return AWSResponse(request.url, 200, {}, _Body(b"{}"))

    client.meta.events.register("before-send", answer)
    return client, sent


@pytest.fixture
def check():
    role = Role(
        "IntakeWorkerFunction",
        "corrigo-local-IntakeWorkerFunctionRole",
        "corrigo-local-IntakeWorkerFunction",
        "123456789012",
        (Statement("Policies[0] #0", "Allow", ("dynamodb:Query", "dynamodb:GetItem"), resources=(TABLE,)),),
    )
    log = CallLog()
    return IamCheck({"IntakeWorkerFunction": role}, enforce=True, call_log=log,
                    resource_names={TABLE: "${RequestsTable.Arn}"})  # fmt: skip


def test_an_allowed_call_goes_through_and_is_counted(dynamodb, check):
    client, sent = dynamodb
    with checking(check), invoking("IntakeWorkerFunction"):
        client.query(
            TableName="Requests", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}
        )
    assert len(sent) == 1
    assert check.call_log.calls["IntakeWorkerFunction"] == {"dynamodb:Query": 1}
    assert check.call_log.unused_grants() == {
        "IntakeWorkerFunction": [
            next(g for g in check.roles["IntakeWorkerFunction"].grants() if g.action == "dynamodb:GetItem")
        ]
    }


def test_a_call_the_role_does_not_allow_is_denied_as_aws_denies_it(dynamodb, check, caplog):
    client, sent = dynamodb
    with checking(check), invoking("IntakeWorkerFunction"), pytest.raises(ClientError) as raised:
        client.query(TableName="Requests", IndexName="article", KeyConditionExpression="article_key = :a",
                     ExpressionAttributeValues={":a": {"S": "x"}})  # fmt: skip
    assert sent == []  # never reached the service
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "User: arn:aws:sts::123456789012:assumed-role/corrigo-local-IntakeWorkerFunctionRole/"
        "corrigo-local-IntakeWorkerFunction is not authorized to perform: dynamodb:Query on resource: "
        f"{TABLE}/index/article because no identity-based policy allows the dynamodb:Query action"
    )
    (denial,) = check.call_log.denials
    assert (
        denial.missing_grant == f"Allow dynamodb:Query on {TABLE}/index/article (${{RequestsTable.Arn}}/index/article)"
    )
    assert denial.line() in caplog.text


def test_record_mode_lets_the_call_through_but_keeps_the_denial(dynamodb, check):
    client, sent = dynamodb
    check.enforce = False
    with checking(check), invoking("IntakeWorkerFunction"):
        client.put_item(TableName="Requests", Item={"pk": {"S": "a"}})
    assert len(sent) == 1
    assert [d.request for d in check.call_log.denials] == [f"dynamodb:PutItem on {TABLE}"]


def test_calls_outside_any_function_or_by_a_function_the_stack_does_not_define_are_not_checked(dynamodb, check):
    client, sent = dynamodb
    with checking(check):
        client.put_item(TableName="Requests", Item={"pk": {"S": "a"}})
        with invoking("SomeOtherStacksFunction"):
            client.put_item(TableName="Requests", Item={"pk": {"S": "b"}})
    assert len(sent) == 2
    assert not check.call_log.denials


def test_the_log_is_saved_as_json(tmp_path, dynamodb, check):
    client, _ = dynamodb
    with checking(check), invoking("IntakeWorkerFunction"):
        client.get_item(TableName="Requests", Key={"pk": {"S": "a"}})
    check.call_log.write(tmp_path / "calls.json")
    saved = json.loads((tmp_path / "calls.json").read_text())
    function = saved["functions"]["IntakeWorkerFunction"]
    assert function["calls"] == {"dynamodb:GetItem": 1}
    assert function["actions"] == {"dynamodb:GetItem": 1}
    assert function["used"] == [f"dynamodb:GetItem on {TABLE} (Policies[0] #0)"]
    assert saved["denials"] == []
