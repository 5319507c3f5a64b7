"""moto's server, in this process, answering one AWS request at a time.

moto is a test double, not a database: concurrent TransactWriteItems fail inside it with
"dictionary changed size during iteration" (docs/architecture.md). So every
request goes through one lock. Requests still arrive on a threaded server, so a slow handler never
blocks the socket, only moto's own work is serialised. A call whose fault switch is on
(faults.py) is answered with the service's error before the lock, and never reaches moto.

A request may wait seconds for the lock under a burst, where AWS would answer in milliseconds; a
caller that gave up meanwhile (a send tried once, adapters.mailer) would otherwise have it made
after all, unknown to it: an email sent twice when its retry comes. So a request whose caller has
closed the connection by the time moto could take it is not made, and logged. (Only the wait is
ours: a caller that gives up while moto works on its request is as uncertain of it as in AWS.)

The server is werkzeug's, as moto ships it, though it closes every connection after one answer: two
servers that keep connections open ran the 10,000-submission burst slower on this machine (cheroot
19.6 submissions/s, one of http.server with keep-alive 19.2/s, against 31-33/s here;
bench/local_burst.py, December 2 2026), and waitress re-cases response header names, which S3's
user metadata keys come back in.
"""

from __future__ import annotations

import io
import logging
import socket
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
        body_read = _read_body_now(environ)
        with self._lock:
            if body_read and _caller_gone(environ):
                log.warning(
                    "%s %s %s: its caller gave up while it waited for moto; not made",
                    environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO"),
                    environ.get("HTTP_X_AMZ_TARGET", ""),
                )
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
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


def _read_body_now(environ: dict[str, Any]) -> bool:
    """Read the request's body before it waits for the lock, so that an end of the connection can be
    told from the socket alone. False for a chunked body, left to moto to read."""
    if environ.get("wsgi.input_terminated"):
        return False
    length = str(environ.get("CONTENT_LENGTH") or "0")
    if not length.isdigit():
        return False
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
    return True


def _caller_gone(environ: dict[str, Any]) -> bool:
    """True if the caller closed the connection: its request read whole, the socket is at its end."""
    connection = environ.get("werkzeug.socket")
    if connection is None:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False  # nothing more to read, and still open
    except OSError:
        return True  # reset by the caller


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
