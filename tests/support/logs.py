"""Read what the service logged: the Powertools handler's stream, swapped for a buffer.

(The handler was created with whatever sys.stdout was at import time, so capsys/capfd miss it.)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest


@pytest.fixture
def service_logs() -> Iterator[Callable[[], str]]:
    from observability import logger

    # Keys a previous invocation left (function ARN, request id) are not this test's concern.
    logger.clear_state()
    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer.getvalue
    finally:
        handler.setStream(previous)
