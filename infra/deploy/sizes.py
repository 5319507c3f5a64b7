"""A function's package size against Lambda's limits: 50 MB zipped (direct upload), 250 MB unzipped."""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
ZIPPED_LIMIT = 50 * MB
UNZIPPED_LIMIT = 250 * MB


@dataclass(frozen=True)
class PackageSize:
    unzipped: int
    zipped: int

    @property
    def within_limits(self) -> bool:
        return self.zipped <= ZIPPED_LIMIT and self.unzipped <= UNZIPPED_LIMIT


def measure(folder: Path) -> PackageSize:
    """Every file's size, and the size of the zip `sam deploy` would upload (deflated, as it makes it)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    unzipped = sum(p.stat().st_size for p in files)
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "package.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in files:
                zipped.write(path, os.path.relpath(path, folder))
        return PackageSize(unzipped, archive.stat().st_size)


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file's path, size and mtime: equal for the copies `sam build` makes of one package, whose zip
    (the slow part of `measure`) need then be made once."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return tuple((p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def describe(size: PackageSize) -> str:
    return (
        f"{size.zipped / MB:6.1f} MB zipped ({size.zipped / ZIPPED_LIMIT:4.0%} of 50 MB), "
        f"{size.unzipped / MB:6.1f} MB unzipped ({size.unzipped / UNZIPPED_LIMIT:4.0%} of 250 MB)"
    )
