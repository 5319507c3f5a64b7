"""template.yaml deploys: cfn-lint is clean and SAM's own translator expands it offline."""

import copy
import subprocess
import sys
from pathlib import Path

from tests.support.aws import ROOT


def _template():
    from infra.local.template import load_template

    return load_template(ROOT / "template.yaml")


def test_cfn_lint_is_clean():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_translator_expands_every_function_route_and_event_source(monkeypatch):
    from samtranslator.public.translator import ManagedPolicyLoader  # noqa: F401  (import check)
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = copy.deepcopy(_template())
    # The translator wants code in S3; `sam deploy` uploads CodeUri and writes exactly this.
    template["Globals"]["Function"]["CodeUri"] = "s3://corrigo-artifacts/lambda.zip"

    class NoManagedPolicies:
        def load(self):
            return {}

    expanded = transform(template, {}, NoManagedPolicies())
    resources = expanded["Resources"]
    types = {r["Type"] for r in resources.values()}
    assert {
        "AWS::Lambda::Function",
        "AWS::ApiGatewayV2::Api",
        "AWS::Lambda::EventSourceMapping",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
    } <= types
    functions = {name for name, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    assert {"ApiFunction", "IntakeWorkerFunction"} <= functions
    mappings = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert all(
        m.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]
        for m in mappings
        if "sqs" in str(m["EventSourceArn"]).lower() or "Queue" in str(m["EventSourceArn"])
    )
    api = next(r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    paths = api["Properties"]["Body"]["paths"]
    assert {"/", "/requests", "/requests/{reference}"} <= set(paths)


def test_every_queue_has_a_dead_letter_queue_and_is_encrypted():
    resources = _template()["Resources"]
    queues = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    dead_letter_targets = {
        q["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for q in queues.values() if "RedrivePolicy" in q
    }
    # Queues that take an asynchronous invoke's failures (a function's OnFailure, a schedule's DLQ) are DLQs too.
    for function in (r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"):
        on_failure = ((function.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}
        arns = [on_failure.get("Destination")]
        arns += [
            ((e.get("Properties") or {}).get("DeadLetterConfig") or {}).get("Arn")
            for e in function.get("Events", {}).values()
        ]
        dead_letter_targets |= {arn["Fn::GetAtt"][0] for arn in arns if isinstance(arn, dict) and "Fn::GetAtt" in arn}
    for name, properties in queues.items():
        assert properties.get("SqsManagedSseEnabled") or properties.get("KmsMasterKeyId"), name
        assert name in dead_letter_targets or "RedrivePolicy" in properties, f"{name} has no dead-letter queue"
