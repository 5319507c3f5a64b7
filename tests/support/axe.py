"""axe-core, run in a Playwright page: what it finds, worded so that a failing assertion says what to fix.

The engine is the axe.min.js that the pinned `axe-playwright-python` wheel ships (requirements-dev.txt):
one install path, nothing fetched at test time.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from importlib.resources import files
from typing import Any

# Issue 11: the pages must have none of these; "moderate" and "minor" are reported, not failed.
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


def axe_version(page: Any) -> str:
    inject(page)
    return str(page.evaluate("axe.version"))


def inject(page: Any) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation of the page as it is now (rules of WCAG 2.x A and AA, and best practices)."""
    inject(page)
    results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return list(results["violations"])


def blocking(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [violation for violation in found if violation.get("impact") in BLOCKING_IMPACTS]


def counts(found: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(rule, impact) → how many nodes break it."""
    return Counter({(v["id"], v.get("impact") or "none"): len(v["nodes"]) for v in found})


def describe(found: list[dict[str, Any]]) -> str:
    """One line per violation (its rule, impact and help), then one line per offending node's selector."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            selector = " ".join(" >> ".join(part) if isinstance(part, list) else part for part in node["target"])
            # axe's summary: "Fix any of the following:" then one way to fix it per line; the first two say enough.
            fixes = [line.strip() for line in node.get("failureSummary", "").splitlines()[1:3]]
            lines.append(f"    {selector}  ({'; or '.join(fixes)})")
    return "\n".join(lines)


def assert_no_blocking_violations(page: Any, where: str) -> list[dict[str, Any]]:
    """Fails with every serious or critical violation on the page; returns all the violations found."""
    found = violations(page)
    serious = blocking(found)
    assert not serious, f"axe-core found serious or critical violations on {where}:\n{describe(serious)}"
    return found
