"""A `scope="package"` fixture ends with its package only if its directory is one (an __init__.py):
without it pytest kept the local stack of tests/integration/local_stack, its schedule ticking, until
the session ended, and later unit tests failed on its threads (a fresh clone's run, 2026-12-02)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
PACKAGE_SCOPE = re.compile(r"""scope\s*=\s*["']package["']""")


def test_every_directory_with_a_package_scoped_fixture_is_a_package():
    defining = [path.parent for path in TESTS.rglob("*.py") if PACKAGE_SCOPE.search(path.read_text("utf-8"))]
    defining = [folder for folder in defining if folder != Path(__file__).parent]  # this file names it

    assert defining, "no package-scoped fixture found: the search is wrong"
    assert [str(folder.relative_to(TESTS)) for folder in defining if not (folder / "__init__.py").exists()] == []
