"""The deployable package, proven as Lambda would load it.

Built the way `sam build` builds it (functions/requirements.txt only, wheels for the template's
runtime and architecture, bytecode compiled: infra/deploy/Makefile), then, for every function template.yaml names, started in an isolated
interpreter whose path is the package plus the Lambda runtime's own boto3 — nothing from the
development venv — with the environment the template gives that function, and invoked once with a
real sample event for its trigger against a moto server provisioned from the template.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.deploy.bytecode import compile_package, stale_bytecode
from infra.deploy.dependencies import foreign_wheels
from infra.deploy.lambda_env import lambda_environment
from infra.deploy.package import REQUIREMENTS, Package, build_package
from infra.deploy.platforms import host_platform, lambda_platform
from infra.deploy.runtime_sdk import install_runtime_sdk
from infra.local.lambda_runtime import FUNCTION_TYPE, FunctionSpec, function_specs
from infra.local.pollers import scheduled_event
from infra.local.resources import AwsClients, provision
from infra.local.template import REGION, IntrinsicResolver, load_template, resolve_parameters
from tests.support.aws import ROOT, TEST_PARAMETERS
from tests.support.events import aws_sample, http_event, ses_received_notification, sns_envelope, sqs_event
from tests.support.mail_forms import gbk_form_mail

TEMPLATE = load_template(ROOT / "template.yaml")
FUNCTIONS = sorted(k for k, r in TEMPLATE["Resources"].items() if r["Type"] == FUNCTION_TYPE)
PROBE = Path(__file__).with_name("lambda_probe.py")
# The interpreter itself, not the venv's wrapper: with -I -S it sees the standard library only.
BASE_PYTHON = os.path.realpath(sys.executable)


# ---- The packages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lambda_package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    """For the template's runtime and architecture (arm64): what is deployed, not importable here."""
    package = build_package(tmp_path_factory.mktemp("lambda") / "package", lambda_platform(TEMPLATE))
    compile_package(package.path, package.platform.python_version)
    return package


@pytest.fixture(scope="module")
def host_package(tmp_path_factory: pytest.TempPathFactory, lambda_package: Package) -> Package:
    """The same pinned versions, as wheels for this machine, so that they can be imported here."""
    platform = host_platform(lambda_package.platform.python_version)
    package = build_package(tmp_path_factory.mktemp("host") / "package", platform, lambda_package.pins)
    compile_package(package.path, platform.python_version)  # started below from its bytecode, as deployed
    return package


@pytest.fixture(scope="module")
def runtime_sdk(tmp_path_factory: pytest.TempPathFactory, lambda_package: Package) -> Path:
    return install_runtime_sdk(tmp_path_factory.mktemp("runtime") / "sdk", host_platform())


def requirement_names() -> set[str]:
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text("utf-8").splitlines())
    return {canonicalize_name(Requirement(line).name) for line in lines if line}


def test_every_requirement_resolves_to_wheels_for_the_template_runtime_and_architecture(lambda_package):
    assert lambda_package.platform.machine == "aarch64"
    names = {canonicalize_name(d.name) for d in lambda_package.distributions}
    assert requirement_names() <= names
    assert foreign_wheels(lambda_package.distributions, lambda_package.platform) == []
    compiled = [d for d in lambda_package.distributions if not any(t.endswith("-any") for t in d.tags)]
    assert compiled, "expected compiled wheels (rpds-py, lxml...) to prove the platform was honoured"
    assert all(any("aarch64" in t for t in d.tags) for d in compiled)


def test_the_host_build_has_exactly_the_versions_of_the_lambda_build(lambda_package, host_package):
    assert host_package.pins == lambda_package.pins


def test_every_module_of_the_deployed_package_ships_its_bytecode(lambda_package):
    assert stale_bytecode(lambda_package.path) == []


def test_the_package_carries_the_schemas_and_web_assets(lambda_package):
    assert (lambda_package.path / "schemas" / "correction-request.schema.json").is_file()
    assert (lambda_package.path / "web" / "templates" / "form.html").is_file()
    assert not (lambda_package.path / "boto3").exists(), "boto3 comes with the runtime, not the package"


# ---- AWS, as the functions find it -----------------------------------------------------------------


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[tuple[str, dict[str, Any], list[FunctionSpec]]]:
    """A moto server on 127.0.0.1 with every resource of template.yaml, as the local stack makes them."""
    from moto.server import ThreadedMotoServer

    from infra.local.moto_endpoint import reset_moto_state

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        resolver = IntrinsicResolver(TEMPLATE, resolve_parameters(TEMPLATE, TEST_PARAMETERS))
        clients = AwsClients(endpoint)
        resources = provision(clients, TEMPLATE, resolver)
        yield endpoint, {"clients": clients, "resources": resources}, function_specs(TEMPLATE, resolver)
    finally:
        server.stop()
        reset_moto_state()


# ---- A real sample event for each trigger ------------------------------------------------------------

VALID_SAMPLE = ROOT / "schemas" / "samples" / "valid" / "correction-zh.json"
EDITOR_CLAIMS = {"sub": "e-1", "email": "editor@news.example.cn", "cognito:groups": "[editors]"}


def http_sample(events: dict[str, Any]) -> dict[str, Any]:
    """POST /requests (a full submission) when the function serves it, else its first API route."""
    routes = [(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events.values() if e["Type"] == "HttpApi"]
    if ("POST", "/requests") in routes:
        body = VALID_SAMPLE.read_text("utf-8")
        return http_event("POST", "/requests", body=body, headers={"content-type": "application/json"})
    editor_routes = [r for r in routes if r[1].startswith("/editor/api/") and "{" not in r[1] and r[0] == "GET"]
    if editor_routes:
        method, path = editor_routes[0]
        event = http_event(method, path)
        event["requestContext"]["authorizer"] = {"jwt": {"claims": EDITOR_CLAIMS, "scopes": None}}
        return event
    if ("GET", "/comments") in routes:  # the public list of an article's comments
        return http_event("GET", "/comments", query={"article_url": "https://news.example.cn/a/1.html"})
    raise AssertionError(f"no sample request for routes {routes}; add one here")


def sample_event(spec: FunctionSpec, aws: dict[str, Any]) -> dict[str, Any]:
    kinds = {e["Type"] for e in spec.events.values()}
    if kinds == {"HttpApi"}:
        return http_sample(spec.events)
    if "DynamoDB" in kinds:
        return outbox_stream_sample(aws)
    (trigger,) = spec.events.values()  # every other function here has one event source
    kind = trigger["Type"]
    if kind in ("Schedule", "ScheduleV2"):
        return scheduled_event(f"arn:aws:scheduler:{REGION}:123456789012:schedule/default/{spec.name}")
    if kind == "SQS":
        queue = trigger["Properties"]["Queue"]["Fn::GetAtt"][0]
        arn = aws["resources"][queue].attributes["Arn"]
        if queue == "MailIntakeQueue":
            bucket = aws["resources"]["RawMailBucket"].ref
            key = "inbound/package-probe-message"
            aws["clients"]("s3").put_object(Bucket=bucket, Key=key, Body=gbk_form_mail())
            return sqs_event([sns_envelope(ses_received_notification(bucket=bucket, key=key))], queue_arn=arn)
        return sqs_event([json.dumps({"reference": "CR-2026-PROBE1"})], queue_arn=arn)
    raise AssertionError(f"{spec.logical_id}: no sample event for a {kind} trigger; add one here")


def outbox_stream_sample(aws: dict[str, Any]) -> dict[str, Any]:
    """AWS's sample stream event carrying a message just put in the OutboxTable (about no request)."""
    from boto3.dynamodb.types import TypeSerializer

    from corrigo import outbox

    message = outbox.email("probe-1", "CR-2026-PROBE1", "acknowledgement", "2026-12-01T00:00:00.000Z")
    item = {key: TypeSerializer().serialize(value) for key, value in outbox.to_item(message, 1_900_000_000).items()}
    table = aws["resources"]["OutboxTable"]
    aws["clients"]("dynamodb").put_item(TableName=table.ref, Item=item)
    event = copy.deepcopy(aws_sample("powertools_dynamoStreamEvent.json"))
    event["Records"] = event["Records"][:1]
    event["Records"][0]["eventSourceARN"] = table.attributes["StreamArn"]
    event["Records"][0]["dynamodb"].update(Keys={"id": item["id"]}, NewImage=item, StreamViewType="NEW_IMAGE")
    return event


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_function_starts_from_the_package_alone_and_serves_a_sample_event(
    logical_id, host_package, runtime_sdk, aws_endpoint, tmp_path
):
    endpoint, aws, specs = aws_endpoint
    spec = next(s for s in specs if s.logical_id == logical_id)
    event_file, result_file = tmp_path / "event.json", tmp_path / "result.json"
    event_file.write_text(json.dumps(sample_event(spec, aws)), "utf-8")

    result = subprocess.run(
        [BASE_PYTHON, "-I", "-S", PROBE, host_package.path, runtime_sdk, spec.handler, event_file, result_file],
        env=lambda_environment(spec, endpoint=endpoint),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, f"{logical_id} ({spec.handler}) failed:\n{result.stderr[-4000:]}"
    outcome = json.loads(result_file.read_text("utf-8"))
    assert outcome["foreign_modules"] == [], "imported from outside the package and the runtime's SDK"
    assert outcome["collector"]["enabled"] and outcome["collector"]["frozen"] > 10_000, "INIT's objects frozen"
    response = outcome["response"]
    if "statusCode" in response:
        assert response["statusCode"] < 500, response
    elif "batchItemFailures" in response:
        assert response["batchItemFailures"] == [], result.stdout[-4000:]
