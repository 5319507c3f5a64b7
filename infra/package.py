"""Assemble the deployable code: what template.yaml's CodeUri names.

SAM zips only the CodeUri folder, so the schemas (read at run time) and the web assets must be
inside it. `sam build` then installs requirements.txt into it for the Lambda runtime; infra/deploy
does the same without SAM (for the template's platform, and for this host to import and time it).

    python -m infra.package build/lambda
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")


def build(target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "functions", target, ignore=SKIP)
    shutil.copytree(ROOT / "schemas", target / "schemas", ignore=SKIP)
    return target


if __name__ == "__main__":
    destination = build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/lambda"))
    print(f"packaged {sum(1 for p in destination.rglob('*') if p.is_file())} files into {destination}")
