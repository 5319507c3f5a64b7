"""The real local stack (`python -m infra.local`, as `make run` starts it) and a real Chromium.

The stack runs in its own process on free ports, so these tests see exactly what a newcomer sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.stack_process import RunningStack, start_stack, stop_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    running = start_stack()
    yield running
    stop_stack(running)
    tracebacks = [index for index, line in enumerate(running.log) if "Traceback" in line]
    # Each traceback with what follows it: the error is at its end, not in the last lines of the log.
    assert not tracebacks, "\n\n".join("\n".join(running.log[index : index + 40]) for index in tracebacks)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
