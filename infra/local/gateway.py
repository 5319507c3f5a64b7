"""The HTTP API, locally: the template's HttpApi routes, each calling its function with a payload 2.0 event.

What API Gateway does and this copies: route selection (most specific path first, `{param}`,
`{proxy+}`, `ANY`), the event (lower-cased and comma-joined headers, cookies apart, base64 bodies for
binary content types, requestContext), the response mapping (a bare dict or string becomes a 200
JSON body), its own error bodies (404 `Not Found`, 401 `Unauthorized`, 500 `Internal Server
Error`, 503 `Service Unavailable` when the function times out) and the JWT authorizer. Paths under
`/_local/` are the local stack's own and never reach a function.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .jwt_authorizer import JwtAuthorizer, JwtAuthorizerConfig, Unauthorized
from .lambda_runtime import FunctionSpec, FunctionTimedOut, LocalFunction
from .template import ACCOUNT_ID, IntrinsicResolver, TemplateError

log = logging.getLogger(__name__)

IMPLICIT_API = "ServerlessHttpApi"  # the logical id SAM gives the HttpApi it creates for events without ApiId
DEFAULT_ROUTE = "$default"
LOCAL_PATH_PREFIX = "/_local/"

# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass
class Route:
    method: str  # upper case, or ANY
    path: str  # as in the template, e.g. /requests/{reference}
    function: LocalFunction
    api_id: str
    authorizer: JwtAuthorizer | None = None
    authorization_scopes: tuple[str, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _parameter_names: list[str] = field(init=False, repr=False)
    _segment_kinds: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        parts, names, kinds = [], [], []
        if self.path != DEFAULT_ROUTE:
            for segment in self.path.strip("/").split("/") if self.path.strip("/") else []:
                greedy = re.fullmatch(r"\{(\w[\w.-]*)\+\}", segment)
                parameter = re.fullmatch(r"\{(\w[\w.-]*)\}", segment)
                if greedy:
                    parts.append("(.+)")
                    names.append(greedy.group(1))
                    kinds.append(_GREEDY)
                elif parameter:
                    parts.append("([^/]+)")
                    names.append(parameter.group(1))
                    kinds.append(_PARAMETER)
                else:
                    parts.append(re.escape(segment))
                    kinds.append(_LITERAL)
        # (issue 4) A template path with a trailing slash (`GET /editor/`) matches only with it, as in API Gateway.
        trailing = "/" if parts and self.path.endswith("/") else ""
        self._pattern = re.compile("^/" + "/".join(parts) + trailing + "$")
        self._parameter_names = names
        self._segment_kinds = tuple(kinds)

    @property
    def key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"

    @property
    def precedence(self) -> tuple[Any, ...]:
        """Sort key: API Gateway prefers literal segments to {param} to {proxy+}, and a method to ANY."""
        return (self.path == DEFAULT_ROUTE, self._segment_kinds, self.method == "ANY")

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if this route takes the request, else None."""
        if self.method not in ("ANY", method):
            return None
        if self.path == DEFAULT_ROUTE:
            return {}
        found = self._pattern.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in zip(self._parameter_names, found.groups(), strict=True)}


def routes_from_template(
    template: Mapping[str, Any],
    resolver: IntrinsicResolver,
    specs: Sequence[FunctionSpec],
    functions: Mapping[str, LocalFunction],
    make_authorizer: Callable[[JwtAuthorizerConfig], JwtAuthorizer],
) -> list[Route]:
    """One Route per HttpApi event, most specific first."""
    resources = template.get("Resources") or {}
    implicit_api = (template.get("Globals") or {}).get("HttpApi") or {}
    authorizers: dict[tuple[str, str], JwtAuthorizer] = {}
    routes = []
    for spec in specs:
        for event_name, event in spec.events.items():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties") or {}
            api_ref = props.get("ApiId")
            api_logical_id = api_ref["Ref"] if isinstance(api_ref, dict) and "Ref" in api_ref else IMPLICIT_API
            api_props = (resources.get(api_logical_id) or {}).get("Properties") or implicit_api
            api_auth = api_props.get("Auth") or {}
            event_auth = props.get("Auth") or {}
            authorizer_name = event_auth.get("Authorizer", api_auth.get("DefaultAuthorizer"))
            authorizer = None
            if authorizer_name and authorizer_name != "NONE":
                cache_key = (api_logical_id, authorizer_name)
                if cache_key not in authorizers:
                    config = _authorizer_config(resolver, api_logical_id, authorizer_name, api_auth)
                    authorizers[cache_key] = make_authorizer(config)
                authorizer = authorizers[cache_key]
            routes.append(
                Route(
                    method=str(props.get("Method", "ANY")),
                    path=str(resolver.resolve(props.get("Path", DEFAULT_ROUTE))),
                    function=functions[spec.logical_id],
                    api_id=str(resolver.ref(api_logical_id)) if api_logical_id in resources else "local",
                    authorizer=authorizer,
                    authorization_scopes=tuple(resolver.resolve(event_auth.get("AuthorizationScopes") or [])),
                )
            )
            log.debug("route %s -> %s (%s)", routes[-1].key, spec.logical_id, event_name)
    return sorted(routes, key=lambda route: route.precedence)


def _authorizer_config(
    resolver: IntrinsicResolver, api_logical_id: str, name: str, api_auth: Mapping[str, Any]
) -> JwtAuthorizerConfig:
    definition = (api_auth.get("Authorizers") or {}).get(name)
    if definition is None:
        raise TemplateError(f"{api_logical_id}: no authorizer named {name}")
    definition = resolver.resolve(definition)
    jwt_config = definition.get("JwtConfiguration")
    if not jwt_config:
        raise TemplateError(f"{api_logical_id}: authorizer {name} is not a JWT authorizer; only those run locally")
    audience = jwt_config.get("audience") or jwt_config.get("Audience") or []
    return JwtAuthorizerConfig(
        name=name,
        issuer=jwt_config.get("issuer") or jwt_config["Issuer"],
        audience=tuple(str(item) for item in (audience if isinstance(audience, list) else [audience])),
        identity_source=definition.get("IdentitySource", "$request.header.Authorization"),
    )


# ---------------------------------------------------------------------------------------------
# Event and response mapping
# ---------------------------------------------------------------------------------------------

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|.*\+json|xml|.*\+xml|javascript|ecmascript|x-javascript|graphql|x-ndjson))$"
)


def is_text_content_type(content_type: str) -> bool:
    """HTTP APIs pass these bodies as text and base64-encode everything else (form posts included)."""
    return bool(_TEXT_TYPES.match(content_type.split(";")[0].strip().lower()))


@dataclass
class IncomingRequest:
    method: str
    target: str  # path and query, as on the request line
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


def build_event(request: IncomingRequest, route: Route, path_parameters: Mapping[str, str]) -> dict[str, Any]:
    """The API Gateway HTTP API payload format 2.0 event for a request."""
    split = urlsplit(request.target)
    raw_path = split.path or "/"
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(cookie.strip() for cookie in value.split(";") if cookie.strip())
        else:
            headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    host = headers.get("host", "localhost")
    domain_name = host.split(":")[0]
    request_id = base64.b64encode(secrets.token_bytes(12)).decode()
    now = datetime.now(UTC)
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", host.split(":")[1] if ":" in host else "80")
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now.timestamp()):08x}-{secrets.token_hex(12)}")

    query: dict[str, str] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": raw_path,
        "rawQueryString": split.query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": route.api_id,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".")[0],
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if request.body:
        if is_text_content_type(headers.get("content-type", "")):
            event["body"] = request.body.decode("utf-8", errors="replace")
            event["isBase64Encoded"] = False
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


@dataclass
class OutgoingResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, payload: Any, extra_headers: Sequence[tuple[str, str]] = ()) -> OutgoingResponse:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return OutgoingResponse(status, [("content-type", "application/json"), *extra_headers], body)


def map_function_result(result: Any) -> OutgoingResponse:
    """What API Gateway makes of a function's return value (payload format 2.0)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # No statusCode: API Gateway assumes 200 and sends the function's JSON output as the body.
        return json_response(200, result)
    headers = [(str(name), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise TypeError(f"response body must be a string, got {type(body).__name__}")
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return OutgoingResponse(int(result["statusCode"]), headers, raw)


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

LocalRoute = Callable[[], OutgoingResponse]
LocalHandler = Callable[[IncomingRequest], OutgoingResponse]  # sees the request; answers every method itself
NOT_FOUND = {"message": "Not Found"}
UNAUTHORIZED = {"message": "Unauthorized"}
INTERNAL_ERROR = {"message": "Internal Server Error"}
SERVICE_UNAVAILABLE = {"message": "Service Unavailable"}  # HTTP APIs' answer when the Lambda integration times out


class HttpGateway:
    """Binds when constructed (port 0 picks a free one); serves once routes are given to `start`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 3000) -> None:
        self._host = host
        self._server = _GatewayServer((host, port), _GatewayRequestHandler, self)
        self._routes: list[Route] = []
        self._local_routes: dict[str, LocalRoute] = {}
        self._local_handlers: dict[str, LocalHandler] = {}
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def add_local_route(self, path: str, route: LocalRoute) -> None:
        """A GET path under /_local/ answered by the stack itself (outbox, health, ...)."""
        if not path.startswith(LOCAL_PATH_PREFIX):
            raise ValueError(f"local routes live under {LOCAL_PATH_PREFIX}")
        self._local_routes[path] = route

    def add_local_handler(self, path: str, handler: LocalHandler) -> None:
        """A path under /_local/ whose handler takes the request, any method (the fault switches' POST)."""
        if not path.startswith(LOCAL_PATH_PREFIX):
            raise ValueError(f"local routes live under {LOCAL_PATH_PREFIX}")
        self._local_handlers[path] = handler

    def start(self, routes: Sequence[Route]) -> None:
        self._routes = sorted(routes, key=lambda route: route.precedence)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="http-gateway", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()  # joins the request threads still running

    def respond(self, request: IncomingRequest) -> OutgoingResponse:
        path = urlsplit(request.target).path or "/"
        if path.startswith(LOCAL_PATH_PREFIX):
            local_handler = self._local_handlers.get(path)
            if local_handler is not None:
                return local_handler(request)
            local_route = self._local_routes.get(path)
            if local_route is None or request.method not in ("GET", "HEAD"):
                return json_response(404, NOT_FOUND)
            return local_route()
        for route in self._routes:
            path_parameters = route.match(request.method, path)
            if path_parameters is not None:
                return self._invoke(route, request, path_parameters)
        return json_response(404, NOT_FOUND)

    def _invoke(self, route: Route, request: IncomingRequest, path_parameters: dict[str, str]) -> OutgoingResponse:
        event = build_event(request, route, path_parameters)
        request_id = event["requestContext"]["requestId"]
        trace = [("apigw-requestid", request_id)]
        if route.authorizer is not None:
            try:
                event["requestContext"]["authorizer"] = route.authorizer.authorize(
                    event["headers"], route.authorization_scopes
                )
            except Unauthorized as exc:
                log.info("%s: token refused by %s: %s", route.key, route.authorizer.config.name, exc)
                return json_response(401, UNAUTHORIZED, [*trace, ("www-authenticate", "Bearer")])
        try:
            response = map_function_result(route.function.invoke(event))
        except FunctionTimedOut:
            log.error("%s: %s timed out", route.key, route.function.spec.logical_id)
            return json_response(503, SERVICE_UNAVAILABLE, trace)
        except Exception:
            log.error("%s failed in %s:\n%s", route.key, route.function.spec.logical_id, traceback.format_exc())
            return json_response(500, INTERNAL_ERROR, trace)
        response.headers.extend(trace)
        return response


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = False  # so that server_close() waits for requests in flight
    block_on_close = True
    # socketserver's default backlog is 5: a burst of 16 clients connecting at once got resets.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], gateway: HttpGateway):
        super().__init__(address, handler)
        self.gateway = gateway


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.0 answers (one request per connection) keep shutdown prompt: no idle keep-alive threads.
    server: _GatewayServer
    server_version = "CorrigoLocalGateway"

    def _handle(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = IncomingRequest(
            method=self.command,
            target=self.path,
            protocol=self.request_version,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            response = self.server.gateway.respond(request)
        except Exception:  # the gateway's own bug: still answer as API Gateway would
            log.error("gateway failed on %s %s:\n%s", self.command, self.path, traceback.format_exc())
            response = json_response(500, INTERNAL_ERROR)
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            # The client left before the answer (a browser navigating away): nothing to answer, no bug.
            log.info("%s %s %d: the client closed the connection first", self.command, self.path, response.status)
            self.close_connection = True
            return
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("%s %s %d %.0fms", self.command, self.path, response.status, elapsed_ms)

    def _write(self, response: OutgoingResponse) -> None:
        self.send_response(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
            self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass  # _handle logs one line per request, with its duration
