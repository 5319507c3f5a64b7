"""The local stack: moto, the template's resources, the functions, the gateway and the event sources.

`LocalStack(root).start()` returns once everything listens; `stop()` takes it all down again.
Order matters at start: both sockets are bound first (so that port 0 can be used and the real
ports reach AWS_ENDPOINT_URL and PublicBaseUrl), then resources are created, then the shared
function environment is set and the handlers imported, then traffic is let in.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.iam.local import MODE_ENV, check_mode, is_project_template, stack_check
from infra.iam.recorder import IamCheck, activate, deactivate, save_report

from .event_sources import EventSources
from .extensions import ExtraService, StartupStep, default_extra_services, default_startup_steps
from .faults import HousekeepingClients, faults_route, problem
from .gateway import HttpGateway, IncomingRequest, OutgoingResponse, json_response, routes_from_template
from .jwt_authorizer import JwtAuthorizer, JwtAuthorizerConfig, jwks_url_for
from .lambda_runtime import LocalFunction, function_specs, load_functions
from .moto_endpoint import MotoEndpoint, reset_moto_state
from .outbox import Outbox
from .persistence import Persistence, state_dir_from_env
from .pollers import (
    QueueActivity,
)
from .resources import AwsClients, Provisioned, provision
from .streams import TableActivity
from .template import REGION, IntrinsicResolver, load_template, resolve_parameters

log = logging.getLogger(__name__)

PUBLIC_BASE_URL_PARAMETER = "PublicBaseUrl"
READY_PREFIX = "Corrigo local stack ready:"


class LocalStack:
    def __init__(
        self,
        root: Path,
        *,
        template_path: Path | None = None,
        code_dir: Path | None = None,
        host: str = "127.0.0.1",
        http_port: int = 3000,
        aws_port: int = 4566,
        parameter_overrides: Mapping[str, Any] | None = None,
        extra_services: Sequence[ExtraService] | None = None,
        startup_steps: Sequence[StartupStep] | None = None,
        schedule_seconds: float | None = None,
        retry_after_seconds: int = 1,
    ) -> None:
        self.root = Path(root)
        self.template_path = Path(template_path or self.root / "template.yaml")
        self.code_dir = Path(code_dir or self.root / "functions")
        self._host = host
        self._http_port = http_port
        self._aws_port = aws_port
        self._overrides = dict(parameter_overrides or {})
        self._extra_services = list(default_extra_services() if extra_services is None else extra_services)
        self._startup_steps = list(default_startup_steps() if startup_steps is None else startup_steps)
        self._schedule_seconds = schedule_seconds
        self._retry_after_seconds = retry_after_seconds

        self.template: dict[str, Any] = {}
        self.resolver: IntrinsicResolver | None = None
        self.resources: dict[str, Provisioned] = {}
        self.functions: dict[str, LocalFunction] = {}
        self.editor_credentials: tuple[str, str] | None = None
        self.ready_line = ""
        self._endpoint: MotoEndpoint | None = None
        self._gateway: HttpGateway | None = None
        self._aws: AwsClients | None = None
        # The stack's own calls (pollers, snapshots), which the fault switches let through (faults.py).
        self._housekeeping: AwsClients | None = None
        self._outbox: Outbox | None = None
        self._event_sources: list[threading.Thread] = []
        self._started_services: list[ExtraService] = []
        self._stopping = threading.Event()
        self._queue_activity = QueueActivity()
        self._table_activity = TableActivity()
        self._saved_environ: dict[str, str | None] = {}
        self._persistence: Persistence | None = None
        self._iam_check: IamCheck | None = None

    # --- what tests and extensions use ---------------------------------------------------------

    @property
    def http_url(self) -> str:
        assert self._gateway is not None, "start() first"
        return self._gateway.url

    @property
    def aws_url(self) -> str:
        assert self._endpoint is not None, "start() first"
        return self._endpoint.url

    @property
    def http_port(self) -> int:
        assert self._gateway is not None, "start() first"
        return self._gateway.port

    @property
    def aws_port(self) -> int:
        assert self._endpoint is not None, "start() first"
        return self._endpoint.port

    @property
    def host(self) -> str:
        return self._host

    @property
    def parameters(self) -> dict[str, Any]:
        assert self.resolver is not None, "start() first"
        return self.resolver.parameters

    @property
    def function_env(self) -> dict[str, dict[str, str]]:
        """Each function's resolved environment, by logical id."""
        return {logical_id: dict(function.spec.environment) for logical_id, function in self.functions.items()}

    def aws(self, service: str) -> Any:
        """A boto3 client for the local endpoint (shared; boto3 clients are thread-safe)."""
        assert self._aws is not None, "start() first"
        return self._aws(service)

    def resource(self, logical_id: str) -> Any:
        """A resource's physical id: what `Ref` gives in the template (table name, queue URL, pool id...)."""
        assert self.resolver is not None, "start() first"
        return self.resolver.ref(logical_id)

    def resource_attribute(self, logical_id: str, attribute: str) -> Any:
        assert self.resolver is not None, "start() first"
        return self.resolver.get_att(logical_id, attribute)

    def outbox(self, after: int | None = None) -> list[dict[str, Any]]:
        assert self._outbox is not None, "start() first"
        return self._outbox.emails(after)

    def user_pool_with_group(self, group_name: str) -> str | None:
        """The id of the template's user pool that has a group of this name, if any."""
        assert self.resolver is not None, "start() first"
        for logical_id, resource in (self.template.get("Resources") or {}).items():
            if resource.get("Type") == "AWS::Cognito::UserPoolGroup" and logical_id in self.resources:
                props = self.resolver.resolve(resource.get("Properties") or {})
                if props.get("GroupName") == group_name:
                    return str(props["UserPoolId"])
        return None

    # --- start and stop ----------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self._stopping.clear()
        self.template = load_template(self.template_path)

        self._endpoint = MotoEndpoint(self._host, self._aws_port)
        self._gateway = HttpGateway(self._host, self._http_port)
        reset_moto_state()  # one process may run several stacks (tests): each starts empty
        activity = self._queue_activity
        self._outbox = Outbox(self._endpoint.app.serialised)
        self._endpoint.app.add_listener(activity.note_request)
        self._endpoint.app.add_listener(self._table_activity.note_request)
        self._endpoint.app.add_listener(self._outbox.note_request)
        self._endpoint.start()
        self._set_environ(
            {
                "AWS_ENDPOINT_URL": self._endpoint.url,  # boto3 in the handlers reads this
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
            }
        )
        self._aws = AwsClients(self._endpoint.url)
        self._housekeeping = HousekeepingClients(self._endpoint.url)

        overrides = dict(self._overrides)
        if PUBLIC_BASE_URL_PARAMETER in (self.template.get("Parameters") or {}):
            overrides.setdefault(PUBLIC_BASE_URL_PARAMETER, self._gateway.url)
        self.resolver = IntrinsicResolver(self.template, resolve_parameters(self.template, overrides))
        self.resources = provision(self._aws, self.template, self.resolver)
        self._restore_state()

        self._start_iam_check()
        specs = function_specs(self.template, self.resolver)
        self._set_environ({key: value for spec in specs for key, value in spec.environment.items()})
        self.functions = load_functions(specs, self.code_dir)

        routes = routes_from_template(self.template, self.resolver, specs, self.functions, self._make_authorizer)
        self._gateway.add_local_handler("/_local/outbox", self._outbox_response)
        self._gateway.add_local_handler("/_local/faults", faults_route(self._endpoint.faults))
        self._gateway.add_local_route("/_local/health", lambda: json_response(200, {"status": "ok"}))
        self._gateway.start(routes)
        assert self.resolver is not None and self._housekeeping is not None
        self._event_sources = EventSources(
            resolver=self.resolver,
            functions=self.functions,
            clients=self._housekeeping,
            stopping=self._stopping,
            queue_activity=activity,
            table_activity=self._table_activity,
            retry_after_seconds=self._retry_after_seconds,
            schedule_seconds=self._schedule_seconds,
        ).start_all(specs)

        for service in self._extra_services:
            service.start(self)
            self._started_services.append(service)
        ready_items = [f"{self._gateway.url}/", *(service.address for service in self._extra_services)]
        ready_items.append(f"aws={self._endpoint.url}")
        for step in self._startup_steps:
            ready_items.extend(step(self))
        self.ready_line = f"{READY_PREFIX} " + "  ".join(ready_items)

    def stop(self) -> None:
        self._stopping.set()
        self._queue_activity.notify()  # idle pollers wake now rather than at their next poll
        self._table_activity.notify()
        for service in reversed(self._started_services):
            try:
                service.stop()
            except Exception:
                log.exception("stopping %s failed", service)
        self._started_services.clear()
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        for thread in self._event_sources:
            thread.join()
        self._event_sources.clear()
        self._save_state()  # everything that writes has stopped; moto still answers
        self._stop_iam_check()
        if self._endpoint is not None:
            self._endpoint.stop()
            self._endpoint = None
        self._restore_environ()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------------------

    def _set_environ(self, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            self._saved_environ.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def _restore_environ(self) -> None:
        for key, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environ.clear()

    def _restore_state(self) -> None:
        """Bring back the data of the last run (persistence.py), before any traffic is let in."""
        project_template = self.template_path.resolve() == (self.root / "template.yaml").resolve()
        state_dir = state_dir_from_env(self.root, project_template=project_template)
        if state_dir is None:
            return
        assert self._endpoint is not None and self._outbox is not None and self._housekeeping is not None
        # The outbox's first-seen times are its messages' timestamps: saved and restored with them.
        self._persistence = Persistence(
            state_dir, self._housekeeping, self._endpoint.app.serialised, self._outbox._first_seen
        )
        self._persistence.restore()
        self._endpoint.app.add_listener(self._persistence.note_request)
        self._persistence.start_periodic()

    def _save_state(self) -> None:
        if self._persistence is None:
            return
        self._persistence.stop_periodic()
        try:
            self._persistence.save()
        except Exception:
            log.exception("saving the local state to %s failed", self._persistence.state_dir)
        self._persistence.close()
        self._persistence = None

    def _start_iam_check(self) -> None:
        """Every AWS call a function makes is checked against its role from now on (infra/iam)."""
        assert self.resolver is not None
        mode = check_mode(project_template=is_project_template(self.template_path))
        self._iam_check = stack_check(self.template, self.resolver, mode)
        if self._iam_check is not None:
            activate(self._iam_check)
        log.info("IAM check of each function's AWS calls: %s (%s)", mode, MODE_ENV)

    def _stop_iam_check(self) -> None:
        if self._iam_check is not None:
            deactivate(self._iam_check)
            self._iam_check = None
            save_report()

    def _make_authorizer(self, config: JwtAuthorizerConfig) -> JwtAuthorizer:
        return JwtAuthorizer(config, jwks_url_for(config.issuer, self.aws_url))

    def _outbox_response(self, request: IncomingRequest) -> OutgoingResponse:
        """`GET /_local/outbox[?after=<position>]`: every email and text message, or the emails sent
        after the one at that position (each email carries its `position`)."""
        if request.method not in ("GET", "HEAD"):
            return problem(405, "Method Not Allowed", "method", "the outbox is read with GET")
        values = parse_qs(urlsplit(request.target).query).get("after", [])
        if not values:
            return json_response(200, self.outbox())
        try:
            after = int(values[0])
        except ValueError:
            return problem(400, "Bad Request", "after", "after must be a whole number: the position of an email")
        return json_response(200, self.outbox(after))
