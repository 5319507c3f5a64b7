"""Run the local stack in its own process, exactly as `make run` does, on free ports."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READY_PREFIX = "Corrigo local stack ready:"
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    http_port: int
    smtp_port: int
    aws_port: int
    ready_line: str
    log: list[str] = field(default_factory=list)
    temporary_state_dir: str | None = None  # removed by stop_stack; None when the caller chose one

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def aws_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def get_json(self, path: str, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(
            self.base_url + path, headers={"accept": "application/json", **(headers or {})}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def outbox(self) -> list[dict[str, Any]]:
        return list(self.get_json("/_local/outbox"))

    def editor_credentials(self) -> tuple[str, str]:
        """The editor account the stack creates at start (its ready line names it, unless it was given)."""
        from infra.local.extensions import DEFAULT_EDITOR_PASSWORD

        found = re.search(r"editor=(\S+) / (\S+)", self.ready_line)
        return (found.group(1), found.group(2)) if found else ("editor@news.example.cn", DEFAULT_EDITOR_PASSWORD)

    def editor_token(self) -> str:
        """That editor's ID token from the stack's user pool, as the editors' page signs in."""
        config = self.get_json("/editor/config.json")
        email, password = self.editor_credentials()
        answer = self.client("cognito-idp").initiate_auth(
            ClientId=config["clientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        return str(answer["AuthenticationResult"]["IdToken"])

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's AWS endpoint (moto's server), as a user's AWS CLI would point one."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def wait_for_mail(self, predicate: Any, timeout: float = 20.0) -> dict[str, Any]:
        """The first outbox message matching `predicate`, waiting for the pollers to send it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.outbox():
                if predicate(message):
                    return message
            time.sleep(0.2)
        raise AssertionError(
            f"no such message in the outbox after {timeout:.0f} s; outbox: {[m.get('subject') for m in self.outbox()]}"
        )

    def wait_for_status(self, status_path: str, wanted: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        document: dict[str, Any] = {}
        while time.monotonic() < deadline:
            document = self.get_json(status_path)
            if document.get("status") == wanted:
                return document
            time.sleep(0.2)
        raise AssertionError(f"status stayed {document.get('status')!r}, wanted {wanted!r}")


# The suite submits the sample's one address many times, as nobody would: rate limits, duplicate
# linking and the per-address daily cap on automatic mail are off (their own tests turn them on).
SUITE_PARAMETERS = [
    "--param", "RateLimits=off",
    "--param", "DuplicateWindowHours=0",
    "--param", "MaxAutoRepliesPerSenderPerDay=100000",
]  # fmt: skip


def start_stack(extra_env: dict[str, str] | None = None, extra_args: list[str] | None = None) -> RunningStack:
    http_port, smtp_port, aws_port = free_port(), free_port(), free_port()
    # Each stack keeps its data (infra/local/persistence.py) in a fresh directory of its own, never
    # in the repository's .local-state; pass LOCAL_STATE_DIR in extra_env to restart on the same data.
    temporary_state_dir = None if "LOCAL_STATE_DIR" in (extra_env or {}) else tempfile.mkdtemp(prefix="corrigo-state-")
    env = {
        **os.environ,
        "PORT": str(http_port),
        "SMTP_PORT": str(smtp_port),
        "AWS_PORT": str(aws_port),
        "PYTHONUNBUFFERED": "1",
        **({"LOCAL_STATE_DIR": temporary_state_dir} if temporary_state_dir else {}),
        **(extra_env or {}),
    }
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen(
        # Suites and benchmarks send the same sample many times from 127.0.0.1, as no person would:
        # rate limits and duplicate linking off (screening's own tests turn them on; see docs/screening.md).
        [sys.executable, "-m", "infra.local", *SUITE_PARAMETERS, *(extra_args or [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip("\n"))
            if line.startswith(READY_PREFIX):
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(START_TIMEOUT_SECONDS):
        process.kill()
        if temporary_state_dir:
            shutil.rmtree(temporary_state_dir, ignore_errors=True)
        raise RuntimeError("local stack did not start:\n" + "\n".join(log[-40:]))
    ready_line = next(line for line in log if line.startswith(READY_PREFIX))
    return RunningStack(process, http_port, smtp_port, aws_port, ready_line, log, temporary_state_dir)


def stop_stack(stack: RunningStack) -> None:
    stack.process.send_signal(signal.SIGINT)
    try:
        stack.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        stack.process.wait()
    if stack.temporary_state_dir:
        shutil.rmtree(stack.temporary_state_dir, ignore_errors=True)
