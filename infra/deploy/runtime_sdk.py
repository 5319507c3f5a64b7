"""The Lambda runtime's own boto3, in a folder of its own: what /var/runtime gives a function."""

from __future__ import annotations

import shutil
from pathlib import Path

from .dependencies import installed, pip_install
from .platforms import Platform

RUNTIME_SDK = Path(__file__).resolve().parent / "lambda-runtime-sdk.txt"


def install_runtime_sdk(target: Path, platform: Platform) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    pip_install(target, platform, ["-r", str(RUNTIME_SDK)])
    shutil.rmtree(target / "bin", ignore_errors=True)
    return target


def sdk_versions(target: Path) -> dict[str, str]:
    return {d.name: d.version for d in installed(target)}
