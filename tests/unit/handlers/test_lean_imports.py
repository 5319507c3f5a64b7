"""handlers/__init__.py registers two Powertools packages without running their `__init__` (cold
start, issue 8). These tests pin what that must keep: every name those `__init__`s export is the same
object as without the trick, and the resolvers a function does not use are not imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")
# What each name a package exports (its __all__, read without the trick) resolves to.
EXPORTS = f"""
import importlib, json, sys
PACKAGES = {PACKAGES!r}
wanted = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {{
    p: list(importlib.import_module(p).__all__) for p in PACKAGES
}}
names = {{}}
for package, exported in wanted.items():
    module = importlib.import_module(package)
    for name in exported:
        value = getattr(module, name)
        names[package + "." + name] = getattr(value, "__module__", "") + "." + getattr(value, "__qualname__", name)
print(json.dumps(names))
"""


def run(code: str, lean: bool, *args: str) -> str:
    prelude = "import sys; sys.path.insert(0, 'functions'); import handlers\n" if lean else ""
    result = subprocess.run(
        [sys.executable, "-c", prelude + code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout


def test_every_exported_name_is_the_same_object_as_without_the_lean_registration():
    plain = json.loads(run(EXPORTS, lean=False))
    wanted: dict[str, list[str]] = {}
    for qualified in plain:
        package, _, name = qualified.rpartition(".")
        wanted.setdefault(package, []).append(name)
    lean = json.loads(run(EXPORTS, True, json.dumps(wanted)))

    assert plain, "the packages export nothing: Powertools changed its layout"
    assert lean == plain


def test_an_http_function_does_not_import_the_resolvers_it_does_not_use():
    code = (
        "from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver\n"
        "print(sorted(m for m in sys.modules if m.startswith('aws_lambda_powertools.event_handler.')))\n"
    )
    loaded = run(code, lean=True)

    assert "api_gateway" in loaded
    assert "appsync" not in loaded and "bedrock_agent" not in loaded
