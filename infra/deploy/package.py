"""One deployable package: the code `make package` assembles plus the requirements for one platform.

For the template's platform (arm64) this is what `sam build` puts in each function's folder. Its
compiled wheels cannot be imported on this x86_64 machine, so the same pinned versions are built a
second time for this host: that copy is imported by the package test and timed by `make bench`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from infra.package import ROOT, SKIP
from infra.package import build as copy_code

from .dependencies import Distribution, foreign_wheels, installed, pip_install
from .platforms import Platform

REQUIREMENTS = ROOT / "functions" / "requirements.txt"


@dataclass(frozen=True)
class Package:
    path: Path
    platform: Platform
    distributions: list[Distribution]

    @property
    def pins(self) -> list[str]:
        return [d.pin for d in self.distributions]


def build_package(target: Path, platform: Platform, pins: list[str] | None = None, code: Path | None = None) -> Package:
    """The code (`make package`'s, or the folder `code`), then its requirements.txt (or exactly `pins`,
    no more) as wheels for `platform`."""
    if code is None:
        copy_code(target)
    else:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(code, target, ignore=SKIP)
    requirements = target / REQUIREMENTS.name
    dependencies = target.parent / f".{target.name}-dependencies"
    shutil.rmtree(dependencies, ignore_errors=True)
    pip_install(dependencies, platform, ["--no-deps", *pins] if pins is not None else ["-r", str(requirements)])
    distributions = installed(dependencies)
    foreign = foreign_wheels(distributions, platform)
    if foreign:
        raise ValueError(f"wheels that {platform.name} cannot load: {', '.join(d.pin for d in foreign)}")
    # Installed beside the code, then moved in: pip's --target would refuse to merge with it.
    for entry in dependencies.iterdir():
        if entry.name != "bin":  # console scripts: nothing in Lambda runs them
            shutil.move(str(entry), target / entry.name)
    shutil.rmtree(dependencies)
    return Package(target, platform, distributions)
