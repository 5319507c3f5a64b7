"""Build the template's resources in in-process moto, exactly as the local stack does from template.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.lambda_runtime import FunctionSpec, LambdaContext, function_specs, shared_environment
from infra.local.resources import AwsClients, Provisioned, provision
from infra.local.template import IntrinsicResolver, load_template, resolve_parameters

ROOT = Path(__file__).resolve().parents[2]
TEST_PARAMETERS = {
    "SiteDomains": "news.example.cn,m.news.example.cn",
    "PublicBaseUrl": "http://corrigo.test",
    "SenderAddress": "Corrigo <noreply@news.example.cn>",
    "IntakeAddress": "lxwm@news.example.cn",
    "FormSigningSecret": "test-form-signing-secret",
    # Suites submit the same sample many times from one address and IP, as no person would: rate
    # limits and duplicate linking are off here and turned on by the tests of screening (issue 5).
    "RateLimits": "off",
    "DuplicateWindowHours": "0",
}


@dataclass
class TemplateStack:
    resources: dict[str, Provisioned]
    functions: dict[str, FunctionSpec]
    environment: dict[str, str]
    clients: AwsClients

    def ref(self, logical_id: str) -> Any:
        return self.resources[logical_id].ref

    def context(self, logical_id: str) -> LambdaContext:
        return LambdaContext(self.functions[logical_id])


def build_from_template(parameters: dict[str, str] | None = None) -> TemplateStack:
    """Create every resource in whatever AWS boto3 reaches now (in tests: moto's mock_aws)."""
    template = load_template(ROOT / "template.yaml")
    resolver = IntrinsicResolver(template, resolve_parameters(template, {**TEST_PARAMETERS, **(parameters or {})}))
    clients = AwsClients(None)  # type: ignore[arg-type]  # no endpoint: mock_aws intercepts
    resources = provision(clients, template, resolver)
    specs = function_specs(template, resolver)
    return TemplateStack(resources, {s.logical_id: s for s in specs}, shared_environment(specs), clients)
