"""`python -m infra.local` prints one ready line, serves, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_cli_announces_ready_serves_and_stops_on_sigterm(stack_dir):
    env = {**os.environ, "PORT": "0", "AWS_PORT": "0", "LOCAL_EDITOR_PASSWORD": "Cli-Editor-Pass-1!"}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--template", str(stack_dir / "template.yaml"),
         "--code-dir", str(stack_dir), "--param", "SenderAddress=desk@news.test"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ready = process.stdout.readline().strip()
        assert ready.startswith("Corrigo local stack ready: http://127.0.0.1:"), process.stderr.read()
        assert "editor=editor@news.test / Cli-Editor-Pass-1!" in ready
        http_url = ready.split()[4].rstrip("/")
        with urllib.request.urlopen(f"{http_url}/_local/health", timeout=10) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=15)

    assert process.returncode == 0, stderr
    assert stdout == ""  # the ready line is the only thing on stdout
    assert "GET /_local/health 200" in stderr  # one log line per request
