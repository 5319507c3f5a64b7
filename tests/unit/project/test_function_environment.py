"""Each function is given exactly the environment variables it reads (issue 10): none it lacks, none to spare.

For every function of template.yaml, a fresh interpreter starts its handler as Lambda would, with
the Environment the template gives it (Globals merged in; `!Ref`s resolved to parameter defaults
or a resource's name), then builds what it needs before it serves (bench/cold_start.READY, the same
step the cold-start bench measures). `os.environ` is replaced by a mapping that records every name
the project's own code (functions/) asks for; libraries' reads (boto3, Powertools) are not counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.cold_start import READY
from corrigo.mail.config import LIMIT_VARIABLES

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = ROOT / "functions"
# Read by Powertools itself, given to every function (Globals).
READ_BY_LIBRARIES = {
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
    "POWERTOOLS_TRACE_DISABLED",
}
# Operators' overrides with safe defaults, read when set and documented in docs/operations.md
# ("Limits per mail"); the template leaves them unset on purpose.
OPTIONAL_OVERRIDES = set(LIMIT_VARIABLES) | {"ATTACHMENT_PREFIX"}


class _Tagged(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    return {"tag": suffix, "value": value}


_Tagged.add_multi_constructor("!", _tag)


def _template() -> dict[str, Any]:
    return yaml.load((ROOT / "template.yaml").read_text("utf-8"), Loader=_Tagged)  # a SafeLoader that keeps !Ref tags


def _resolve(value: Any, template: dict[str, Any]) -> str:
    """A value as the function would see it: a parameter's default, or a plausible name for a resource."""
    if not isinstance(value, dict):
        return str(value)
    name = str(value.get("value") or "")
    if value.get("tag") == "Ref" and name in template.get("Parameters", {}):
        return str(template["Parameters"][name].get("Default", ""))
    resource = template.get("Resources", {}).get(name, {})
    if str(resource.get("Type", "")).endswith("SQS::Queue"):
        return f"https://sqs.us-east-1.amazonaws.com/123456789012/{name}"
    return f"corrigo-{name}"


def _functions() -> dict[str, tuple[str, dict[str, str]]]:
    template = _template()
    shared = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        own = properties.get("Environment", {}).get("Variables", {})
        variables = {name: _resolve(value, template) for name, value in {**shared, **own}.items()}
        found[logical_id] = (properties["Handler"], variables)
    return found


# Runs in the fresh interpreter: record the names functions/ reads, start the handler, get it ready.
_PROBE = """
import json, os, sys
functions = sys.argv[1]
sys.path[:0] = [functions]
read = set()

class Recording(dict):
    def _note(self, name):
        caller = sys._getframe(2).f_code.co_filename
        if caller.startswith(functions):
            read.add(name)
    def __getitem__(self, name):
        self._note(name)
        return super().__getitem__(name)
    def get(self, name, default=None):
        self._note(name)
        return super().get(name, default)
    def __contains__(self, name):
        self._note(name)
        return super().__contains__(name)

os.environ = Recording(os.environ)
import importlib
h = importlib.import_module(sys.argv[2])
exec(sys.argv[3], {"h": h})
print(json.dumps(sorted(read)))
"""

FUNCTIONS_OF_TEMPLATE = _functions()


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS_OF_TEMPLATE))
def test_a_function_reads_exactly_the_variables_its_template_gives_it(logical_id):
    handler, variables = FUNCTIONS_OF_TEMPLATE[logical_id]
    assert logical_id in READY, f"bench/cold_start.py READY: say what {logical_id} needs before it serves"
    ready_code = READY[logical_id][0]
    environment = {
        **variables,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PATH": os.environ.get("PATH", ""),
        "_HANDLER": handler,
    }
    probe = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE, str(FUNCTIONS) + os.sep, handler.rpartition(".")[0], ready_code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, f"{logical_id} did not start with its template's environment:\n{probe.stderr}"
    read = set(json.loads(probe.stdout.strip().splitlines()[-1]))
    read = {name for name in read if not name.startswith("AWS_") and name != "_HANDLER"}  # the Lambda runtime's own
    missing = sorted(read - set(variables) - OPTIONAL_OVERRIDES)
    unused = sorted(set(variables) - read - READ_BY_LIBRARIES)
    assert not missing, f"{logical_id} reads {missing}, which template.yaml does not give it"
    assert not unused, f"{logical_id} is given {unused} in template.yaml and never reads them"


def test_the_form_secret_reaches_only_the_function_that_signs_the_form():
    given = sorted(logical_id for logical_id, (_, v) in FUNCTIONS_OF_TEMPLATE.items() if "FORM_SIGNING_SECRET" in v)
    assert given == ["ApiFunction"]
