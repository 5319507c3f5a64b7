"""What `sam build` puts in each function's folder: the package for the template's platform, compiled.

template.yaml gives every function `Metadata: {BuildMethod: makefile, ContextPath: infra/deploy}`, so
`sam build` runs infra/deploy/Makefile's `build-<LogicalId>` in a copy of the CodeUri (build/lambda,
from `make package`) with ARTIFACTS_DIR set; that target runs `python -m infra.deploy artifact`.
Its own python_pip builder would install the same wheels but strip every .pyc (bytecode.py says
why they matter).

SAM never shares a makefile build between functions, and all five share one CodeUri: the package
is built once into build/sam-package/<key>, keyed on the code, its requirements.txt and the
platform, and copied to each function. A changed key replaces the cached package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from infra.local.template import load_template
from infra.package import ROOT

from .bytecode import BytecodeError, compile_package, stale_bytecode
from .package import build_package
from .platforms import Platform, lambda_platform

CACHE = ROOT / "build" / "sam-package"


def package_key(code: Path, platform: Platform) -> str:
    """Changes with any file of `code` (requirements.txt included), the platform or the bytecode format."""
    digest = hashlib.sha256(f"{platform.name}\0".encode() + importlib.util.MAGIC_NUMBER)
    for path in sorted(p for p in code.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"\0{path.relative_to(code).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def compiled_package(code: Path, platform: Platform) -> Path:
    """The package of `code` for `platform` with its bytecode, built unless the cache has it."""
    key = package_key(code, platform)
    cached = CACHE / key
    if cached.is_dir():
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = CACHE / f".{key}-{os.getpid()}"
    build_package(staging, platform, code=code)
    compile_package(staging, platform.python_version)
    stale = stale_bytecode(staging)
    if stale:
        raise BytecodeError(f"{len(stale)} modules without valid bytecode: {stale[:5]}")
    for older in CACHE.iterdir():  # one package is all the cache keeps
        if older != staging:
            shutil.rmtree(older)
    staging.rename(cached)
    return cached


def build_artifact(code: Path, artifacts_dir: Path) -> Path:
    """`sam build`'s folder for one function: the cached package copied into ARTIFACTS_DIR."""
    platform = lambda_platform(load_template(ROOT / "template.yaml"))
    package = compiled_package(code, platform)
    shutil.copytree(package, artifacts_dir, dirs_exist_ok=True, copy_function=_link_or_copy)
    return package


def _link_or_copy(source: str, destination: str) -> None:
    """A hard link where it can be (nothing writes to a built package: `sam deploy` only zips it), so five
    functions cost one package on disk; else a copy with its mtime, as it was compiled."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
