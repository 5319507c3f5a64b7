"""Which wheels a function's package may hold: the template's runtime and architecture, or this host's.

Lambda's python3.11 runs on Amazon Linux 2 (glibc 2.26), python3.12 and later on Amazon Linux 2023
(glibc 2.34). A compiled wheel must match the CPU, the CPython version and a glibc no newer than that.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.local.lambda_runtime import FUNCTION_TYPE
from infra.local.template import TemplateError

MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# The newest glibc of each runtime's operating system (AWS Lambda runtimes page).
RUNTIME_GLIBC = {"3.9": (2, 26), "3.10": (2, 26), "3.11": (2, 26), "3.12": (2, 34), "3.13": (2, 34)}
# pip's name for glibc 2.17, what `sam build` asks for (aws-lambda-builders' python_pip workflow).
PIP_PLATFORM = "manylinux2014_{machine}"


@dataclass(frozen=True)
class Platform:
    python_version: str  # "3.11"
    machine: str  # "aarch64" or "x86_64"

    @property
    def name(self) -> str:
        return f"python{self.python_version}-{self.machine}"

    @property
    def glibc(self) -> tuple[int, int]:
        return RUNTIME_GLIBC.get(self.python_version, (2, 26))

    def pip_arguments(self) -> list[str]:
        """Only wheels, only for this platform: an sdist would be built for (and run on) this host."""
        return [
            "--platform",
            PIP_PLATFORM.format(machine=self.machine),
            "--implementation",
            "cp",
            "--python-version",
            self.python_version,
            "--only-binary=:all:",
        ]

    def accepts(self, tag: str) -> bool:
        """Whether a wheel tag (`cp311-cp311-manylinux_2_17_aarch64`) can be imported on this platform."""
        interpreter, abi, platform_tag = tag.split("-")
        cpython = "cp" + self.python_version.replace(".", "")
        if interpreter not in ("py3", "py" + self.python_version.replace(".", ""), cpython) and not (
            abi == "abi3" and interpreter.startswith("cp3") and int(interpreter[3:]) <= int(cpython[3:])
        ):
            return False
        if abi not in ("none", "abi3", cpython):
            return False
        return platform_tag == "any" or self._accepts_platform(platform_tag)

    def _accepts_platform(self, platform_tag: str) -> bool:
        legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
        for prefix, glibc in legacy.items():
            if platform_tag == f"{prefix}_{self.machine}":
                return glibc <= self.glibc
        parts = platform_tag.split("_", 3)
        if len(parts) == 4 and parts[0] == "manylinux" and parts[3] == self.machine:
            return (int(parts[1]), int(parts[2])) <= self.glibc
        return False


def lambda_platform(template: Mapping[str, Any]) -> Platform:
    """The one runtime and architecture every function of the template uses (they share one CodeUri)."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    found: dict[str, Platform] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        props = resource.get("Properties") or {}
        runtime = str(props.get("Runtime", defaults.get("Runtime", "")))
        architectures = props.get("Architectures", defaults.get("Architectures", ["x86_64"]))
        if not runtime.startswith("python3."):
            raise TemplateError(f"{logical_id}: runtime {runtime!r} is not a Python runtime")
        found[logical_id] = Platform(runtime.removeprefix("python"), MACHINES[architectures[0]])
    if len(set(found.values())) != 1:
        raise TemplateError(f"the functions share one package but not one runtime and architecture: {found}")
    return next(iter(found.values()))


def host_platform(python_version: str | None = None) -> Platform:
    """This machine, to import and time the package here (same versions, this CPU's wheels)."""
    return Platform(python_version or f"{sys.version_info.major}.{sys.version_info.minor}", platform.machine())
