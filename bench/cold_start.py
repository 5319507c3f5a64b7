"""Cold start of each function from its built package, beside the floor, in the same run.

Each figure is the median wall time of fresh interpreters started as Lambda starts one: `python -I
-S -B` (standard library only; -B because /var/task is read-only, so nothing compiled is kept),
with the package (built by infra.deploy for this host, the versions deployed for arm64, with its
bytecode compiled as `sam build` ships it: infra/deploy/bytecode.py) and then the Lambda runtime's
own boto3 on sys.path, and the environment the template gives the function.

- floor: `import boto3` and the same clients the function uses, nothing else;
- INIT: import the handler (module-level set-up: settings validated, Powertools, resolver);
- ready: INIT, then whatever the function needs before it serves: its service, its clients and,
  for the API, the request validator.

The runs are interleaved (floor, INIT, ready, floor, …) so that a busy machine slows all alike.
A lever not taken is measured the same way when pyenv has it: the python3.12 runtime (the oldest
Python runtime SnapStart supports), its package compiled by python3.12 with the same flags.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import Row, median, ms, ratio
from infra.deploy.bytecode import compile_package
from infra.deploy.lambda_env import lambda_environment
from infra.deploy.package import build_package
from infra.deploy.platforms import host_platform, lambda_platform
from infra.deploy.runtime_sdk import install_runtime_sdk
from infra.local.lambda_runtime import FunctionSpec
from infra.local.template import REGION, load_template
from infra.package import ROOT

RUNS = int(os.environ.get("BENCH_COLD_RUNS", "5"))
# BENCH_COLD_FUNCTIONS=ApiFunction,… measures only those (default: every function of the template).
ONLY = [name for name in os.environ.get("BENCH_COLD_FUNCTIONS", "").split(",") if name]
TARGET = 1.3  # issue 8: ready to serve within 1.3x the floor, for every function

# What each function needs before it serves (after its module is imported as `h`: what handler()
# builds on its first invocation), and the clients that takes: the floor makes the same with boto3.
READY: dict[str, tuple[str, tuple[str, ...]]] = {
    "ApiFunction": (
        "s = h.intake(); h.table().db.client; s.queue.sqs; h.answers(); h.contacts(); "
        "from corrigo.validation import warm_up; warm_up(h.SETTINGS.site_domains)",
        ("dynamodb", "sqs"),
    ),
    "IntakeWorkerFunction": ("w = h.worker(); w.requests.db.client; h._process_once()", ("dynamodb",)),
    "EditorFunction": ("s = h.service(); s.requests.db.client; h.privacy_service(); h.sign_in_config()", ("dynamodb",)),
    "DeadlineSweepFunction": (
        "s = h.service(); s.requests.db.client; h.privacy_service(); h.Queue(h.SETTINGS.intake_queue_url).sqs",
        ("dynamodb", "sqs"),
    ),
    "MailIntakeFunction": (
        "h.service(); h.table().db.client; h.raw_mail().s3; h.intake_queue().sqs",
        ("dynamodb", "s3", "sqs"),
    ),
    # Without COMMENTER_HASH_KEY (as here, from the template's defaults) comments fail closed: the
    # table's client is still what a comment's first request needs, and a page of comments no more.
    "CommentsFunction": ("h.table().db.client; h.SCREENING", ("dynamodb",)),
    "CommentModerationFunction": ("m = h.moderation(); m.table.db.client", ("dynamodb",)),
    "OutboxDeliveryFunction": (
        "d = h.delivery(); h.requests().db.client; h.notifier().mailer.ses; d.retries.retry.sqs; d.events.events",
        ("dynamodb", "sesv2", "sqs", "events"),
    ),
}


# What the first request of another kind adds after ready, measured as ready + this: the word lists'
# fold (corrigo/wordlists.py) imports its libraries on the first screened text, not at INIT.
FIRST_USE: dict[str, tuple[str, str]] = {
    "CommentsFunction": ("first comment screened", "h.SCREENING.banned_words.found_in('这条评论写得很好')"),
    "IntakeWorkerFunction": ("first request screened", "h.SCREENING.banned_words.found_in('请更正文章')"),
}


@dataclass(frozen=True)
class Runtime:
    """An interpreter with a package and a runtime SDK built for it."""

    label: str
    python: str
    package: Path
    sdk: Path

    def start(self, code: str, environment: dict[str, str]) -> float:
        """Seconds for one fresh process to run `code`, as Lambda would start it (see the docstring)."""
        boot = f"import sys; sys.path[:0] = [{str(self.package)!r}, {str(self.sdk)!r}]\n"
        started = time.perf_counter()
        subprocess.run(
            [self.python, "-I", "-S", "-B", "-c", boot + code],
            env=environment,
            cwd=self.package,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def _python(version: str) -> str | None:
    """The interpreter for `version`: this one, or pyenv's (PYENV_VERSION=3.12… as ARCHITECTURE.md says)."""
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return os.path.realpath(sys.executable)
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return found[-1] if found else shutil.which(f"python{version}")


def _compile_with(python: str, folder: Path) -> None:
    """What infra.deploy.bytecode.compile_package does, by another Python (its bytecode is its own)."""
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _sdk(target: Path, version: str) -> Path:
    """The runtime's boto3, compiled as the runtime image ships its own modules."""
    sdk = install_runtime_sdk(target, host_platform(version))
    subprocess.run(
        [_python(version) or sys.executable, "-m", "compileall", "-q", "-j", "2", str(sdk)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sdk


def _runtimes(scratch: Path) -> list[Runtime]:
    template = load_template(ROOT / "template.yaml")
    deployed = build_package(scratch / "lambda", lambda_platform(template))  # the pins that deploy
    version = deployed.platform.python_version
    host = build_package(scratch / "host", host_platform(version), deployed.pins)
    compile_package(host.path, version)  # as infra/deploy/artifact.py builds what `sam build` ships
    sdk = _sdk(scratch / "sdk", version)
    runtimes = [Runtime(f"python{version}", _python(version) or sys.executable, host.path, sdk)]
    newer = "3.12"
    newer_python = _python(newer)
    if newer_python and newer != version:
        package = build_package(scratch / "host-312", host_platform(newer), deployed.pins)
        _compile_with(newer_python, package.path)
        runtimes.append(Runtime(f"python{newer}", newer_python, package.path, _sdk(scratch / "sdk-312", newer)))
    return runtimes


def _function_specs() -> dict[str, FunctionSpec]:
    from bench.moto_stack import template_stack

    with template_stack() as stack:  # resource names resolved as the local stack resolves them
        return dict(stack.functions)


def _measure(runtime: Runtime, spec: FunctionSpec) -> dict[str, float]:
    """Median floor, INIT and ready of `spec` on `runtime`, interleaved."""
    ready_code, services = READY[spec.logical_id]
    module = spec.handler.rpartition(".")[0]
    init_code = f"import {module} as h"
    codes = {
        "floor": "import boto3; " + "; ".join(f"boto3.client({s!r})" for s in services),
        "init": init_code,
        "ready": f"{init_code}; {ready_code}",
    }
    if spec.logical_id in FIRST_USE:
        codes["first use"] = f"{codes['ready']}; {FIRST_USE[spec.logical_id][1]}"
    environment = lambda_environment(spec, runtime.label.split(",")[0])
    samples: dict[str, list[float]] = {name: [] for name in codes}
    for run in range(RUNS + 1):
        for name, code in codes.items():
            elapsed = runtime.start(code, environment)
            if run:  # the first round only warms the OS file cache, as a Lambda host's would be
                samples[name].append(elapsed)
    return {name: median(values) for name, values in samples.items()}


def _collector_pause_alone(runtime: Runtime) -> Row:
    """What pausing the collector during INIT (handlers/init_collector.py) gives a function that is
    only boto3: the floor itself with the pause, beside the floor as measured (same run, interleaved).
    The functions' figures include the pause and the floor does not, so this says how much of their
    margin it is."""
    floor = "import boto3; boto3.client('dynamodb')"
    samples: dict[str, list[float]] = {"plain": [], "paused": []}
    for run in range(RUNS + 1):
        for name, code in (("plain", floor), ("paused", f"import gc; gc.disable(); {floor}; gc.freeze(); gc.enable()")):
            elapsed = runtime.start(code, {"AWS_DEFAULT_REGION": REGION})
            if run:
                samples[name].append(elapsed)
    plain, paused = median(samples["plain"]), median(samples["paused"])
    return (
        "floor (boto3 + dynamodb) with the collector paused as at INIT",
        f"{ms(paused)} ({ratio(paused, plain)} floor)",
        f"{ms(plain)} boto3 + dynamodb",
    )


def run() -> list[Row]:
    specs = _function_specs()
    missing = sorted(set(specs) - set(READY))
    if missing:
        raise SystemExit(f"bench/cold_start.py: say what {', '.join(missing)} needs before it serves (READY)")
    rows: list[Row] = []
    as_deployed: dict[str, float] = {}  # ready / floor, per function, as infra/deploy/Makefile packages it
    with tempfile.TemporaryDirectory(prefix="corrigo-cold-") as scratch:
        runtimes = _runtimes(Path(scratch))
        bare = median([runtimes[0].start("pass", {}) for _ in range(RUNS)])
        rows.append(("bare interpreter (-I -S -B)", ms(bare), ""))
        rows.append(_collector_pause_alone(runtimes[0]))
        for logical_id, spec in sorted(specs.items()):
            if ONLY and logical_id not in ONLY:
                continue
            for runtime in runtimes:
                figures = _measure(runtime, spec)
                floor = figures["floor"]
                clients = ", ".join(READY[logical_id][1])
                label = f"{logical_id} [{runtime.label}]"
                rows.append((f"{label}: INIT", f"{ms(figures['init'])} ({ratio(figures['init'], floor)} floor)", ""))
                rows.append(
                    (
                        f"{label}: ready",
                        f"{ms(figures['ready'])} ({ratio(figures['ready'], floor)} floor)",
                        f"{ms(floor)} boto3 + {clients}",
                    )
                )
                if "first use" in figures:
                    first_use = figures["first use"]
                    rows.append(
                        (
                            f"{label}: ready + {FIRST_USE[logical_id][0]}",
                            f"{ms(first_use)} ({ratio(first_use, floor)} floor)",
                            f"+{ms(first_use - figures['ready'])} after ready",
                        )
                    )
                if runtime is runtimes[0]:
                    as_deployed[logical_id] = figures["ready"] / floor
        met = all(value <= TARGET for value in as_deployed.values())
        summary = "; ".join(f"{name} {value:.2f}×" for name, value in as_deployed.items())
        rows.append((f"target: ready ≤ {TARGET}× floor, as deployed", "met" if met else "NOT met", summary))
    return rows
