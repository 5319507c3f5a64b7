"""Install functions/requirements.txt into a package, as wheels for one platform, and read back what came.

This is what `sam build` does for each function (aws-lambda-builders' python_pip workflow): pip with
`--platform`, `--implementation cp`, `--python-version` and binary wheels only, into the package.
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .platforms import Platform


class DependencyError(RuntimeError):
    """pip could not install the requirements as wheels for the platform."""


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    tags: tuple[str, ...]

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


def pip_install(target: Path, platform: Platform, requirements: list[str]) -> None:
    """`requirements` are pip arguments: `-r file` or pinned names (installed with --no-deps then)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-conflicts",
        # As `sam build`: no bytecode in the package (Lambda's /var/task is read-only, so every cold
        # start compiles what it imports; `make bench` measures that, and what shipping .pyc saves).
        "--no-compile",
        "--target",
        str(target),
        *platform.pip_arguments(),
        *requirements,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DependencyError(f"pip could not install for {platform.name}:\n{result.stderr.strip()}")


def installed(target: Path) -> list[Distribution]:
    """Every distribution pip put in `target`, with the tags of the wheel it came from."""
    found = []
    for info in sorted(target.glob("*.dist-info")):
        metadata = email.parser.Parser().parsestr((info / "METADATA").read_text("utf-8"), headersonly=True)
        wheel = email.parser.Parser().parsestr((info / "WHEEL").read_text("utf-8"), headersonly=True)
        found.append(Distribution(metadata["Name"], metadata["Version"], tuple(wheel.get_all("Tag") or ())))
    return found


def foreign_wheels(distributions: list[Distribution], platform: Platform) -> list[Distribution]:
    """The distributions none of whose wheel tags `platform` can load (empty when the package is sound)."""
    return [d for d in distributions if not any(platform.accepts(tag) for tag in d.tags)]
