"""handlers/init_collector.py: Lambda's entry module imported with the cyclic collector paused, and
only that module. Each case runs in a fresh interpreter, as a cold start does (the pause and the
finder are process-wide)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.aws import ROOT

ENTRY = """
import gc, json
ENABLED_WHILE_IMPORTED = gc.isenabled()
"""
PROBE = """
import json, sys
sys.path[:0] = [{functions!r}, {package_root!r}]
from handlers import init_collector
init_collector.pause_while_importing({handler!r}, "probe")
import gc
outcome = {{}}
for name in {imports!r}:
    try:
        module = __import__(name, fromlist=["x"])
        outcome[name] = module.ENABLED_WHILE_IMPORTED
    except RuntimeError as error:
        outcome[name] = str(error)
outcome["enabled after"] = gc.isenabled()
outcome["frozen"] = gc.get_freeze_count()
print(json.dumps(outcome))
"""


def run(tmp_path: Path, handler: str, imports: list[str], entry: str = ENTRY) -> dict[str, object]:
    package = tmp_path / "probe"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "entry.py").write_text(entry)
    (package / "other.py").write_text(ENTRY)
    code = PROBE.format(functions=str(ROOT / "functions"), package_root=str(tmp_path), handler=handler, imports=imports)
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def test_the_entry_module_runs_without_the_collector_and_everything_it_built_is_frozen(tmp_path):
    outcome = run(tmp_path, "probe.entry.handler", ["probe.entry"])

    assert outcome == {"probe.entry": False, "enabled after": True, "frozen": outcome["frozen"]}
    assert int(outcome["frozen"]) > 1000  # the interpreter's and the module's objects, not walked again


def test_other_modules_of_the_package_import_with_the_collector_on(tmp_path):
    outcome = run(tmp_path, "probe.entry.handler", ["probe.other", "probe.entry"])

    assert outcome["probe.other"] is True and outcome["probe.entry"] is False


def test_nothing_is_paused_when_the_handler_is_of_another_package_or_unnamed(tmp_path):
    for handler in ("elsewhere.entry.handler", ""):
        outcome = run(tmp_path, handler, ["probe.entry"])

        assert outcome == {"probe.entry": True, "enabled after": True, "frozen": 0}


def test_an_entry_module_that_fails_leaves_the_collector_on(tmp_path):
    failing = ENTRY + "raise RuntimeError('INIT failed')\n"

    outcome = run(tmp_path, "probe.entry.handler", ["probe.entry"], entry=failing)

    assert outcome["probe.entry"] == "INIT failed" and outcome["enabled after"] is True


def test_the_module_keeps_its_own_loader_for_everything_else(tmp_path):
    entry = ENTRY + "import sys\nSOURCE = __loader__.get_source(__name__)\n"

    run(tmp_path, "probe.entry.handler", ["probe.entry"], entry=entry)  # get_source through the pausing loader
