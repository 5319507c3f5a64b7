"""moto's server, in this process, answering one AWS request at a time.

moto is a test double, not a database: concurrent TransactWriteItems fail inside it with
"dictionary changed size during iteration" (docs/architecture.md). So every
request goes through one lock. Requests still arrive on a threaded server, so a slow handler never
blocks the socket, only moto's own work is serialised. A call whose fault switch is on
(faults.py) is answered with the service's error before the lock, and never reaches moto.

The HTTP server is cheroot (CherryPy's), not the werkzeug development server moto ships with:
werkzeug closes every connection after one response and starts a thread per connection, so each AWS
call paid a new TCP connection and a new thread. Under the 10,000-submission burst the outbox's
threads spent 29% of their time in ``HTTPConnection.connect`` (py-spy, docs/operations.md "Local
stack"), and an outbox batch ran into its Timeout between SES accepting an email and its being
recorded. cheroot keeps botocore's connections open, as AWS's endpoints do, and answers from a fixed
pool of threads. (waitress would too, but it re-cases response header names, and S3 returns user
metadata keys as they were written.)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from cheroot.wsgi import Server as WsgiServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from .. import moto_fixes
from .faults import FaultSwitches

log = logging.getLogger(__name__)

RequestListener = Callable[[dict[str, Any]], None]

# Requests waiting for moto's lock each hold one of these threads; more would only wait longer.
# Idle keep-alive connections hold none (cheroot watches them with a selector).
SERVER_THREADS = 8
# Connections waiting to be accepted: the local stack's functions and pollers all call at once.
LISTEN_BACKLOG = 1024
# An idle connection is closed after this; botocore opens another when it next calls.
IDLE_SECONDS = 60


def _with_raw_uri(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """moto routes S3 by the path as sent (``RAW_URI``, which werkzeug's and gunicorn's servers set):
    without it, a key holding ``%2F`` would be read as one holding ``/``. cheroot names it REQUEST_URI."""

    def app_with_raw_uri(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        return app(environ, start_response)

    return app_with_raw_uri


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
        self.app = SerialisedWsgiApp(_with_raw_uri(DomainDispatcherApplication(create_backend_app)))
        self._server = WsgiServer(
            (host, port),
            self.app,
            numthreads=SERVER_THREADS,
            server_name="moto",
            request_queue_size=LISTEN_BACKLOG,
            timeout=IDLE_SECONDS,
            shutdown_timeout=5,
        )
        self._server.prepare()  # binds now, so that port 0 has its number before start()
        self._thread: threading.Thread | None = None

    @property
    def faults(self) -> FaultSwitches:
        """This endpoint's fault switches (faults.py): in memory, all off at each start."""
        return self.app.faults

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve, name="moto-endpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.stop()  # closes the socket and connections, and waits for the threads
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def reset_moto_state() -> None:
    """Forget every resource moto holds in this process, so that a new stack starts empty."""
    # What POST /moto-api/reset does, without the round trip.
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
