"""The bytecode `sam build` ships (infra/deploy/Makefile → infra.deploy artifact) and the check of it.

Lambda's /var/task is read-only: a module without a valid .pyc there is compiled at every cold start.
"""

from __future__ import annotations

import importlib.util
import py_compile
import subprocess
from pathlib import Path

import pytest

from infra.deploy.__main__ import check
from infra.deploy.artifact import package_key
from infra.deploy.bytecode import BytecodeError, compile_package, host_python, require_python, stale_bytecode
from infra.deploy.platforms import Platform, lambda_platform
from infra.local.lambda_runtime import FUNCTION_TYPE
from infra.local.template import load_template
from tests.support.aws import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
FUNCTIONS = sorted(k for k, r in TEMPLATE["Resources"].items() if r["Type"] == FUNCTION_TYPE)


def small_package(folder: Path) -> Path:
    (folder / "handlers").mkdir(parents=True)
    (folder / "handlers" / "__init__.py").write_text("", "utf-8")
    (folder / "handlers" / "api.py").write_text("def handler(event, context):\n    return {}\n", "utf-8")
    (folder / "requirements.txt").write_text("jinja2==3.*\n", "utf-8")
    return folder


def test_the_functions_run_the_python_this_host_compiles_for():
    require_python(lambda_platform(TEMPLATE).python_version)


def test_another_python_is_refused_rather_than_shipping_bytecode_the_runtime_cannot_load():
    with pytest.raises(BytecodeError, match="bytecode would not load"):
        require_python("3.9" if host_python() != "3.9" else "3.10")


def test_a_compiled_package_has_unchecked_hash_bytecode_for_every_module(tmp_path):
    package = small_package(tmp_path / "package")

    compile_package(package, host_python())

    assert stale_bytecode(package) == []
    pyc = Path(importlib.util.cache_from_source(str(package / "handlers" / "api.py")))
    assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01  # hash-based, not checked at import


def test_missing_timestamped_and_outdated_bytecode_are_each_reported(tmp_path):
    package = small_package(tmp_path / "package")
    compile_package(package, host_python())
    init, api = package / "handlers" / "__init__.py", package / "handlers" / "api.py"
    Path(importlib.util.cache_from_source(str(init))).unlink()
    (package / "handlers" / "other.py").write_text("X = 1\n", "utf-8")
    py_compile.compile(str(package / "handlers" / "other.py"))  # timestamp-checked: may look stale in a zip
    api.write_text("def handler(event, context):\n    return {'changed': True}\n", "utf-8")

    problems = stale_bytecode(package)

    assert len(problems) == 3
    assert any(p.startswith("handlers/__init__.py: no ") for p in problems)
    assert any(p.startswith("handlers/other.py:") and "not unchecked-hash" in p for p in problems)
    assert any(p.startswith("handlers/api.py:") and "another source" in p for p in problems)


def test_the_cache_key_follows_the_code_and_requirements_not_where_they_are(tmp_path):
    platform = lambda_platform(TEMPLATE)
    one, two = small_package(tmp_path / "one"), small_package(tmp_path / "two")
    assert package_key(one, platform) == package_key(two, platform)

    (two / "requirements.txt").write_text("jinja2==3.*\nlxml>=5\n", "utf-8")
    assert package_key(one, platform) != package_key(two, platform)
    assert package_key(one, platform) != package_key(one, Platform(platform.python_version, "x86_64"))


def test_deploy_check_fails_a_build_whose_modules_would_compile_at_every_cold_start(tmp_path, capsys):
    for logical_id in FUNCTIONS:
        small_package(tmp_path / logical_id)
    compile_package(tmp_path, host_python())
    assert check(tmp_path) == 0

    Path(importlib.util.cache_from_source(str(tmp_path / FUNCTIONS[0] / "handlers" / "api.py"))).unlink()

    assert check(tmp_path) == 1
    assert f"FAIL {FUNCTIONS[0]}: 1 modules would compile at every cold start" in capsys.readouterr().out


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_sam_builds_each_function_with_the_project_makefile(logical_id):
    metadata = TEMPLATE["Resources"][logical_id].get("Metadata") or {}

    assert metadata.get("BuildMethod") == "makefile"
    makefile = ROOT / metadata["ContextPath"] / "Makefile"
    dry_run = subprocess.run(
        ["make", "-n", "-f", str(makefile), f"build-{logical_id}", "ARTIFACTS_DIR=/tmp/artifacts"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f'cd "{ROOT}" && ' in dry_run.stdout
    assert '-m infra.deploy artifact "' in dry_run.stdout and '"/tmp/artifacts"' in dry_run.stdout
