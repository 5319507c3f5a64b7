"""`make deploy-check`'s own steps (sam validate and sam build run first, from the Makefile).

`python -m infra.deploy check .aws-sam/build`: every function `sam build` made has wheels for the
template's platform, valid bytecode for every module, and fits Lambda's size limits (exit 1 if not).

`python -m infra.deploy artifact CODE ARTIFACTS_DIR`: one function's folder, as `sam build` asks
infra/deploy/Makefile for it (artifact.py).

`python -m infra.deploy build build/package`: the package for the template's platform, the same
versions for this host, and the Lambda runtime's boto3 in a folder of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.local.lambda_runtime import FUNCTION_TYPE
from infra.local.template import load_template
from infra.package import ROOT

from .artifact import build_artifact
from .bytecode import BytecodeError, require_python, stale_bytecode
from .dependencies import foreign_wheels, installed
from .package import build_package
from .platforms import host_platform, lambda_platform
from .runtime_sdk import install_runtime_sdk, sdk_versions
from .sizes import PackageSize, describe, fingerprint, measure

TEMPLATE = ROOT / "template.yaml"


def check(build_dir: Path) -> int:
    """Each function of the template, as `sam build` left it."""
    template = load_template(TEMPLATE)
    platform = lambda_platform(template)
    require_python(platform.python_version)  # the bytecode is checked against this Python's format
    problems = []
    measured: dict[tuple[tuple[str, int, int], ...], PackageSize] = {}  # by fingerprint: one zip per package
    print(f"Function packages ({platform.name}) in {build_dir}, against Lambda's limits:")
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        folder = build_dir / logical_id
        if not (folder / "handlers").is_dir():
            problems.append(f"{logical_id}: no package at {folder}")
            continue
        contents = fingerprint(folder)
        if contents not in measured:
            measured[contents] = measure(folder)
        size = measured[contents]
        print(f"  {logical_id:<24} {describe(size)}")
        if not size.within_limits:
            problems.append(f"{logical_id}: over Lambda's package limits")
        foreign = foreign_wheels(installed(folder), platform)
        if foreign:
            problems.append(f"{logical_id}: wheels {platform.name} cannot load: {[d.pin for d in foreign]}")
        stale = stale_bytecode(folder)
        if stale:
            problems.append(f"{logical_id}: {len(stale)} modules would compile at every cold start: {stale[:3]}")
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems else 0


def build(out: Path) -> int:
    platform = lambda_platform(load_template(TEMPLATE))
    deployed = build_package(out / platform.name, platform)
    host = build_package(
        out / f"host-{host_platform(platform.python_version).name}",
        host_platform(platform.python_version),
        deployed.pins,
    )
    sdk = install_runtime_sdk(out / "runtime-sdk", host_platform())
    print(f"{deployed.path}: {', '.join(deployed.pins)}")
    print(f"{host.path}: the same versions for this host")
    print(f"{sdk}: {sdk_versions(sdk)}")
    return 0


def main(argv: list[str]) -> int:
    command, folder, artifacts_dir = [*argv, "", "", ""][:3]
    try:
        if command == "check":
            return check(Path(folder or ".aws-sam/build"))
        if command == "build":
            return build(Path(folder or "build/package"))
        if command == "artifact" and folder and artifacts_dir:
            package = build_artifact(Path(folder), Path(artifacts_dir))
            print(f"{artifacts_dir}: {package} (compiled)")
            return 0
    except BytecodeError as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
