"""pytest plugin: every AWS call a function makes in the suites is checked against its IAM role.

In-process suites (the `aws` fixture): each handler the template names is wrapped, for the test,
so that it runs inside `invoking(<its logical id>)` — as the local runtime runs it — and an
IamCheck with the roles of template.yaml (expanded by SAM's translator, ARNs of this moto stack)
is active. A call the role does not allow is answered AccessDenied, as AWS would, and fails the
test that made it with the function, the call and the missing grant. LOCAL_IAM_CHECK=record lets
denied calls through (every missing grant of a run at once, still failing the tests); =off skips.

Local stacks in subprocesses (tests/e2e, tests/support/stack_process.py) check their own calls;
they inherit CORRIGO_IAM_REPORT from this session and write what they saw there, which this
plugin reads after each test and at the end.

At the end of the session: the calls per function, any denial (the run fails), and the grants no
recorded call used (least privilege) are printed.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.iam.local import check_mode, stack_check
from infra.iam.recorder import CALL_LOG, REPORT_ENV, checking, install_hooks
from infra.local.invocation import invoking
from infra.local.resources import PHYSICAL_NAME_PREFIX
from infra.local.template import IntrinsicResolver, load_template, resolve_parameters
from tests.support.aws import ROOT, TEST_PARAMETERS, TemplateStack

_WRAPPED = "__iam_checked_function__"


class _Session:
    report_dir: Path | None = None
    saved_env: str | None = None
    denials_seen = 0


def pytest_configure(config: pytest.Config) -> None:
    # Before any client exists: botocore copies its handlers into each session when it is made.
    install_hooks()
    _Session.report_dir = Path(tempfile.mkdtemp(prefix="corrigo-iam-"))
    _Session.saved_env = os.environ.get(REPORT_ENV)
    os.environ[REPORT_ENV] = str(_Session.report_dir / "iam-{pid}.json")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _Session.saved_env is None:
        os.environ.pop(REPORT_ENV, None)
    else:
        os.environ[REPORT_ENV] = _Session.saved_env


# --- in-process: the `aws` fixture's stack --------------------------------------------------------


@pytest.fixture(autouse=True)
def _iam_checked_functions(request: pytest.FixtureRequest) -> Iterator[None]:
    if "aws" not in request.fixturenames:
        yield
        return
    mode = check_mode(project_template=True)  # LOCAL_IAM_CHECK=record|off, as for the local stack
    stack: TemplateStack = request.getfixturevalue("aws")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    template = _project_template()
    check = stack_check(template, _resolver(template, stack), mode)
    if check is None:
        yield
        return
    for spec in stack.functions.values():
        module_name, _, attribute = spec.handler.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue  # no test can call this handler either; the tests that import it say why
        handler = getattr(module, attribute)
        if not getattr(handler, _WRAPPED, None):
            monkeypatch.setattr(module, attribute, _as_function(spec.logical_id, handler))
    with checking(check):
        yield


def _project_template() -> dict[str, Any]:
    """template.yaml, parsed again only when it changes (parsing takes longer than the check's set-up)."""
    path = ROOT / "template.yaml"
    return _parsed(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed(path: Path, modified_ns: int) -> dict[str, Any]:
    return load_template(path)


def _resolver(template: dict[str, Any], stack: TemplateStack) -> IntrinsicResolver:
    """The resolver build_from_template used: same parameters, and the ARNs moto gave this stack."""
    resolver = IntrinsicResolver(template, resolve_parameters(template, TEST_PARAMETERS))
    for logical_id in template.get("Resources") or {}:
        created = stack.resources.get(logical_id)
        if created is not None:
            resolver.register(logical_id, created.ref, created.attributes)
        else:  # no local equivalent (alarms, keys): what provision() registers for them
            resolver.register(logical_id, f"{PHYSICAL_NAME_PREFIX}{logical_id}", {})
    return resolver


def _as_function(logical_id: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> Any:
        with invoking(logical_id):
            return handler(event, context)

    setattr(invoke, _WRAPPED, logical_id)
    return invoke


# --- after each test and at the end ---------------------------------------------------------------


def _all_denials() -> list[str]:
    lines = [denial.line() for denial in CALL_LOG.denials]
    for report in _subprocess_reports():
        lines.extend(denial["line"] for denial in report.get("denials", []))
    return lines


def _subprocess_reports() -> list[dict[str, Any]]:
    if _Session.report_dir is None:
        return []
    reports = []
    for path in sorted(_Session.report_dir.glob("iam-*.json")):
        if path.name == f"iam-{os.getpid()}.json":
            continue  # this process's own log is CALL_LOG itself
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue  # being replaced right now: read again at the next test
    return reports


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    failure: BaseException | None = None
    try:
        yield
    except BaseException as exc:  # re-raised below, or replaced by the IAM failure it caused
        failure = exc
    denials = _all_denials()
    new, _Session.denials_seen = denials[_Session.denials_seen :], len(denials)
    if new:
        raise pytest.fail.Exception("\n".join(["AWS calls the caller's role does not allow:", *new])) from failure
    if failure is not None:
        raise failure


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _all_denials() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    merged = _merged()
    if not merged["calls"] and not merged["grants"]:
        return  # no function ran and no role was loaded: nothing to say
    write = terminalreporter.write_line
    terminalreporter.section("IAM check: every AWS call against its function's role")
    for function, counts in sorted(merged["calls"].items()):
        write(f"{function}: {sum(counts.values())} calls ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    denials = _all_denials()
    write(f"denied: {len(denials)}")
    for line in denials:
        write(f"  {line}")
    write("grants no recorded call used (least privilege; template.yaml Policies):")
    for function in sorted(merged["grants"]):
        unused = sorted(merged["grants"][function] - merged["used"][function])
        for grant in unused:
            write(f"  {function}: {grant}")
    for assumption in sorted(merged["assumed"]):
        write(f"condition not evaluated: {assumption}")
    for call in sorted(merged["unmapped"]):
        write(f"resource not mapped (checked against '*'): {call}")


def _merged() -> dict[str, Any]:
    """This process's log and every subprocess's report, as one."""
    calls: dict[str, Counter[str]] = defaultdict(Counter)
    grants: dict[str, set[str]] = defaultdict(set)
    used: dict[str, set[str]] = defaultdict(set)
    reports = [CALL_LOG.to_json(), *_subprocess_reports()]
    for report in reports:
        for function, seen in report["functions"].items():
            calls[function].update(seen["calls"])
            grants[function].update(seen["grants"])
            used[function].update(seen["used"])
    return {
        "calls": {function: counts for function, counts in calls.items() if counts},
        "grants": grants,
        "used": used,
        "assumed": {a for report in reports for a in report.get("assumed_conditions", [])},
        "unmapped": {c for report in reports for c in report.get("unmapped_calls", [])},
    }
