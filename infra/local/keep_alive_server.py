"""A WSGI server for the local AWS endpoint that keeps connections open, as AWS's endpoints do.

moto ships werkzeug's development server, which closes every connection after one answer (and
checks for leftover request bytes for 10 ms after each): every AWS call paid a new TCP connection and
a new thread. Under the 10,000-submission burst the outbox's threads spent 29% of their time in
``HTTPConnection.connect`` (py-spy). Two ready-made servers were tried and dropped: waitress re-cases
response header names (S3 returns user-metadata keys as written, and boto3 reads them from those
names) and drops request headers holding ``_``; cheroot reads with the pure-Python io module and gives
each new connection a worker that waits for its first line, so the same burst ran at 19.6
submissions/s against 32 (bench/local_burst.py, December 2 2026).

So this is http.server, HTTP/1.1: one thread per open connection (botocore keeps up to 10 a client),
which waits in ``recv`` between calls without holding the GIL. The request body is read whole
(Content-Length, or chunked) before the app runs, and the answer is sent with a Content-Length, so the
next request on the connection is never mistaken for the rest of this one.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Connections waiting to be accepted: the local stack's functions and pollers all call at once.
LISTEN_BACKLOG = 1024
# An idle connection is closed after this; botocore opens another when it next calls.
IDLE_SECONDS = 60


class KeepAliveWsgiServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, host: str, port: int, app: WsgiApp) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection: their threads then see EOF and finish."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    # Headers and body go out as two writes: with Nagle's algorithm the body waited for the client's
    # delayed ACK of the headers (up to 40 ms) on a connection kept open.
    disable_nagle_algorithm = True
    server: KeepAliveWsgiServer

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        status, headers, chunks = self._call(self._environ(body))
        payload = b"".join(chunks)
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        named = {name.lower() for name, _ in headers}
        for name, value in headers:
            if name.lower() not in ("connection", "transfer-encoding"):
                self.send_header(name, value)
        if "content-length" not in named:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit():
            self.send_error(400, "Content-Length is not a number")
            self.close_connection = True
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, "latin-1"),
            "QUERY_STRING": query,
            # moto routes S3 by the path as sent: a key holding %2F is not one holding /.
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        # As moto's own request handler does: S3 user-metadata names may hold "_", which WSGI's
        # HTTP_ keys cannot tell from "-", so their spelling is kept beside them.
        preserved: dict[str, str] = {}
        for name, value in self.headers.items():
            if name.lower() in ("content-length", "transfer-encoding"):
                continue
            key = environ_key_for_header(name)
            if key in environ and key.startswith("HTTP_"):
                environ[key] += "," + value
            else:
                environ[key] = value
            if should_preserve_original_header_name(name):
                preserved.setdefault(key, name)
        environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
        return environ

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        try:
            response = self.server.app(environ, start_response)
            try:
                chunks = [*answer.get("written", []), *response]
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()
        except Exception:
            log.exception("the local AWS endpoint failed on %s %s", self.command, self.path)
            self.close_connection = True
            return "500 Internal Server Error", [("Content-Type", "text/plain")], [b"internal error"]
        return answer["status"], answer["headers"], chunks

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)
