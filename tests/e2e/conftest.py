"""The real local stack (`python -m infra.local`, as `make run` starts it) and a real Chromium.

The stack runs in its own process on free ports, so these tests see exactly what a newcomer sees.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.stack_process import RunningStack, start_stack, stop_stack

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    running = start_stack()
    yield running
    stop_stack(running)
    tracebacks = [index for index, line in enumerate(running.log) if "Traceback" in line]
    # Each traceback with what follows it: the error is at its end, not in the last lines of the log.
    assert not tracebacks, "\n\n".join("\n".join(running.log[index : index + 40]) for index in tracebacks)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium; run it, or apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
