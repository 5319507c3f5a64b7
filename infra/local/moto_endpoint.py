"""moto's server, in this process, answering one AWS request at a time.

moto is a test double, not a database: concurrent TransactWriteItems fail inside it with
"dictionary changed size during iteration" (docs/architecture.md). So every
request goes through one lock. Requests still arrive on a threaded server, so a slow handler never
blocks the socket, only moto's own work is serialised. A call whose fault switch is on
(faults.py) is answered with the service's error before the lock, and never reaches moto.

The server is werkzeug's, as moto ships it, though it closes every connection after one answer: two
servers that keep connections open ran the 10,000-submission burst slower on this machine (cheroot
19.6 submissions/s, one of http.server with keep-alive 19.2/s, against 31-33/s here;
bench/local_burst.py, December 2 2026), and waitress re-cases response header names, which S3's
user metadata keys come back in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from .. import moto_fixes
from .faults import FaultSwitches

log = logging.getLogger(__name__)

RequestListener = Callable[[dict[str, Any]], None]


class SerialisedWsgiApp:
    """WSGI middleware: one request at a time inside the wrapped app, listeners told after each one."""

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: FaultSwitches | None = None) -> None:
        self._app = app
        self.faults = faults or FaultSwitches()
        # Re-entrant so that code already holding it (the outbox reading moto's state) may nest.
        self._lock = threading.RLock()
        self._listeners: list[RequestListener] = []

    def add_listener(self, listener: RequestListener) -> None:
        """Called with each request's WSGI environ, still under the lock, once moto has answered."""
        self._listeners.append(listener)

    @contextmanager
    def serialised(self) -> Iterator[None]:
        """Hold moto still: for in-process readers of its backends."""
        with self._lock:
            yield

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        refusal = self.faults.refusal(environ)
        if refusal is not None:  # moto does nothing, so its listeners have nothing to hear
            start_response(refusal.status_line, refusal.headers)
            return [refusal.body]
        with self._lock:
            response = self._app(environ, start_response)
            try:
                # Drain inside the lock: a lazily generated body would otherwise run unserialised.
                body = b"".join(response)
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()
            for listener in self._listeners:
                try:
                    listener(environ)
                except Exception:  # a listener's bug must not turn into an AWS error
                    log.exception("moto request listener failed")
        return [body]


class MotoEndpoint:
    """moto's HTTP API on host:port (port 0 picks a free one), bound when constructed."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4566) -> None:
        self._host = host
        moto_fixes.apply()  # moto's costs that grow with the data: infra/moto_fixes
        self.app = SerialisedWsgiApp(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread: threading.Thread | None = None

    @property
    def faults(self) -> FaultSwitches:
        """This endpoint's fault switches (faults.py): in memory, all off at each start."""
        return self.app.faults

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="moto-endpoint", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()


def reset_moto_state() -> None:
    """Forget every resource moto holds in this process, so that a new stack starts empty."""
    # What POST /moto-api/reset does, without the round trip.
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
