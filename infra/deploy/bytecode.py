"""Bytecode compiled at build time and shipped in the package, and the check that it is all there.

Lambda's /var/task is read-only, so a package without .pyc files compiles every module it imports at
every cold start (`sam build` leaves none: aws-lambda-builders excludes them). The .pyc files are
hash-based and unchecked: a zip keeps mtimes to 2 s only, so timestamp-checked ones could look stale
in Lambda and be compiled again; the source cannot change under /var/task, so nothing needs checking
at import, and `stale_bytecode` checks every hash at build time instead.

Bytecode depends on the Python minor version only (not the CPU), so this host may compile for the
arm64 runtime as long as it runs the runtime's Python: `require_python` refuses any other.
"""

from __future__ import annotations

import compileall
import importlib.util
import py_compile
import sys
from pathlib import Path

# The .pyc header (PEP 552): magic, flags, then the source's SipHash for hash-based files. Flags 0b01:
# hash-based, source not checked at import (0b11 would check it; 0 is timestamp-based).
HASH_BASED = 0b01


class BytecodeError(RuntimeError):
    """The package's bytecode cannot be built here, or is missing or stale."""


def host_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def require_python(version: str) -> None:
    if host_python() != version:
        raise BytecodeError(
            f"this Python is {host_python()} but the functions run python{version}: its bytecode would not "
            f"load there (run with a python{version} interpreter)"
        )


def compile_package(folder: Path, python_version: str) -> None:
    """Every .py file under `folder` compiled beside it, as /var/task will hold it."""
    require_python(python_version)
    compiled = compileall.compile_dir(
        folder,
        quiet=2,
        workers=0,  # one process per core
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        # Tracebacks name the path a module is loaded from anyway; this keeps the bytes independent
        # of where the package was built.
        stripdir=str(folder),
        prependdir="/var/task",
    )
    if not compiled:
        raise BytecodeError(f"some modules under {folder} do not compile (python -m compileall {folder} says which)")


def stale_bytecode(folder: Path) -> list[str]:
    """Each .py under `folder` whose .pyc for this Python is missing, timestamp-checked or not of its source."""
    problems = []
    for source in sorted(folder.rglob("*.py")):
        relative = source.relative_to(folder)
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.is_file():
            problems.append(f"{relative}: no {cached.name}")
            continue
        with cached.open("rb") as pyc:
            header = pyc.read(16)
        flags = int.from_bytes(header[4:8], "little")
        if header[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"{relative}: {cached.name} is not Python {host_python()} bytecode")
        elif flags != HASH_BASED:
            problems.append(f"{relative}: {cached.name} is not unchecked-hash (flags {flags:#04b})")
        elif header[8:16] != importlib.util.source_hash(source.read_bytes()):
            problems.append(f"{relative}: {cached.name} was compiled from another source")
    return problems
