"""A clone with nothing beside it passes `make test`: no code or test reads outside the repository.

The workplace that built this project had a folder of real-world material beside the repository;
a user's clone does not. What the tests need is copied under tests/fixtures with its source and
licence noted, and this test catches a path that climbs out again.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHECKED = ["functions", "infra", "tests", "bench", "schemas", "Makefile", ".ci", "template.yaml", "pyproject.toml"]
# A parent of the repository root, the folder that sat beside it, or an absolute path into the workplace.
OUTSIDE = re.compile(r"ROOT\.parent\b|\.\./shared|/work/|[\"']shared[\"']\s*/")
THIS_FILE = Path(__file__).resolve()


def _project_files() -> list[Path]:
    files: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in {".py", ".yaml", ".yml", ".toml", ".sh", ""}
                and "fixtures" not in p.parts
            )
    return [p for p in files if p.resolve() != THIS_FILE]


def test_no_project_file_names_a_path_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _project_files()
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, "reads outside the repository:\n" + "\n".join(offenders)


def test_the_real_world_fixtures_say_where_they_come_from() -> None:
    fixtures = ROOT / "tests" / "fixtures" / "real-world"
    assert "Licence" in (fixtures / "events" / "README.md").read_text("utf-8")
    assert "Licence" in (fixtures / "mails" / "INDEX.md").read_text("utf-8")
    assert len(list((fixtures / "events").glob("*.json"))) >= 10
