"""The environment Lambda gives one function: the template's variables plus what the runtime sets."""

from __future__ import annotations

from infra.local.lambda_runtime import FunctionSpec
from infra.local.template import REGION


def lambda_environment(spec: FunctionSpec, runtime: str = "python3.11", endpoint: str | None = None) -> dict[str, str]:
    """`endpoint` (a moto server) goes in AWS_ENDPOINT_URL, as the local stack does; nothing else is added."""
    environment = {
        **spec.environment,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # Lambda passes the role's temporary credentials; local ones never leave the machine.
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "_HANDLER": spec.handler,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    if endpoint:
        environment["AWS_ENDPOINT_URL"] = endpoint
    return environment
