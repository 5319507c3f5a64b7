"""`make cost`: what Corrigo costs in AWS, per 1,000 submissions and per month, from calls it really made.

A workload runs through the real handlers on in-process moto built from template.yaml: web-form
submissions (the API, then the intake worker), the editor's work on each (open the case, claim,
resolve), the requester's look at the status page, emailed requests (the mail-intake function), and
one deadline sweep over the open queue. Every AWS call is recorded with its parameters and answer
(DynamoDB's written items are read back to size them), each invocation's duration and log volume
are measured, and bench.cost_model turns them into billable units and dollars at bench.prices.

Assumptions, printed with the table: durations are this machine's on moto (AWS's own latencies
differ either way); each request stays open `OPEN_DAYS` on average, which sets how much the 15-minute
sweep reads; one mail in `MAIL_SHARE` arrives by email.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from bench.cost_model import (
    Call,
    FixedMonthly,
    IndexSpec,
    Invocation,
    Usage,
    dollars,
    workload_usage,
)
from bench.prices import PRICES
from bench.report import Row

SUBMISSIONS = int(os.environ.get("BENCH_COST_SUBMISSIONS", "20"))
OPEN_DAYS = 3.0
MAIL_SHARE = 0.2
DAILY_VOLUMES = (100, 1_000, 10_000)
SWEEPS_PER_MONTH = 4 * 24 * 30
EDITOR = "editor@news.example.cn"


class CallRecorder:
    """Every botocore call made inside `recording()`, with what the cost model needs of it."""

    def __init__(self, read_back: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> None:
        self.calls: list[Call] = []
        self._read_back = read_back
        self.function: str | None = None

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def recorded(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
            response = original(client, operation_name, api_params)
            service = client.meta.service_model.service_name
            if recorder.function is not None:
                written = recorder._written(service, operation_name, api_params)
                recorder.calls.append(Call(recorder.function, service, operation_name, api_params, response, written))
            return response

        BaseClient._make_api_call = recorded  # type: ignore[method-assign]
        try:
            yield
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    def _written(self, service: str, operation: str, params: dict[str, Any]) -> tuple[tuple[dict[str, Any], bool], ...]:
        if service != "dynamodb":
            return ()
        if operation == "PutItem":
            return ((params["Item"], False),)
        if operation == "UpdateItem":
            item = self._read_back(params["TableName"], params["Key"])
            return ((item, False),) if item else ()
        if operation == "TransactWriteItems":
            written = []
            for entry in params.get("TransactItems", []):
                (kind, body), *_ = entry.items()
                if kind == "Put":
                    written.append((body["Item"], True))
                elif kind in ("Update", "ConditionCheck"):
                    item = self._read_back(body["TableName"], body["Key"])
                    written.append((item or body["Key"], True))
            return tuple(written)
        return ()


def _indexes(template: dict[str, Any]) -> list[IndexSpec]:
    specs = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        for index in resource["Properties"].get("GlobalSecondaryIndexes", []):
            keys = tuple(k["AttributeName"] for k in index["KeySchema"])
            specs.append(IndexSpec(index["IndexName"], keys, index["Projection"]["ProjectionType"] == "ALL"))
    return specs


class Workload:
    """Runs handlers as Lambda would, one invocation at a time, timing them and counting their logs."""

    def __init__(self, stack: Any, recorder: CallRecorder) -> None:
        self.stack = stack
        self.recorder = recorder
        self.invocations: list[Invocation] = []
        self.logs = io.StringIO()

    def invoke(self, logical_id: str, handler: Callable[..., Any], event: dict[str, Any], *, via_http: bool) -> Any:
        from infra.local.invocation import invoking

        self.recorder.function = logical_id
        logged_before = self.logs.tell()
        started = time.perf_counter()
        try:
            with invoking(logical_id):
                return handler(event, self.stack.context(logical_id))
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            self.recorder.function = None
            memory = self.stack.functions[logical_id].memory_mb
            log_bytes = len(self.logs.getvalue()[logged_before:].encode())
            self.invocations.append(Invocation(logical_id, memory, duration_ms, log_bytes, via_http))

    @contextlib.contextmanager
    def capturing_logs(self) -> Iterator[None]:
        """What the functions log (CloudWatch Logs bills it by volume), kept here instead of printed.

        Powertools' handlers hold the stream they were created with, so swapping sys.stdout is not
        enough: each stream handler is pointed at our buffer for the run."""
        handlers = [
            handler
            for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
            if isinstance(logger, logging.Logger)
            for handler in logger.handlers
            if isinstance(handler, logging.StreamHandler)
        ]
        previous = [handler.setStream(self.logs) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                handler.setStream(stream)

    def drain_intake_queue(self, worker: Callable[..., Any]) -> None:
        from tests.support.events import sqs_event

        sqs, url = self.stack.clients("sqs"), self.stack.ref("IntakeQueue")
        arn = self.stack.resources["IntakeQueue"].attributes["Arn"]
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return
            self.invoke(
                "IntakeWorkerFunction", worker, sqs_event([m["Body"] for m in messages], queue_arn=arn), via_http=False
            )
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _editor_event(method: str, path: str, route: str, body: dict[str, Any] | None, reference: str) -> dict[str, Any]:
    from tests.support.events import http_event

    event = http_event(
        method,
        path,
        route=route,
        body=json.dumps(body) if body is not None else None,
        headers={"content-type": "application/json"},
        path_parameters={"reference": reference},
    )
    claims = {"email": EDITOR, "cognito:username": EDITOR, "cognito:groups": "[editors]", "sub": str(uuid.uuid4())}
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def _confirm_event(stack: Any, reference: str) -> dict[str, Any]:
    from adapters.requests_table import RequestsTable
    from tests.support.events import http_event

    request = RequestsTable(stack.ref("RequestsTable")).get(reference)
    return http_event(
        "POST",
        f"/requests/{reference}/confirm",
        route="/requests/{reference}/confirm",
        path_parameters={"reference": reference},
        body=json.dumps({"token": request.source["contact"]["token"]}),
        headers={"content-type": "application/json"},
    )


def _measure() -> tuple[Usage, Usage, Usage, Usage, int]:
    """Usage of: one web submission with its review, one emailed request, one sweep per open request;
    and the bytes one request keeps in DynamoDB."""
    from bench.moto_stack import template_stack
    from infra.local.template import load_template
    from tests.support.aws import ROOT

    template = load_template(ROOT / "template.yaml")
    with template_stack() as stack:
        from handlers import api, deadline_sweep, editor_api, intake_worker, mail_intake
        from tests.support.events import http_event, ses_received_notification, sns_envelope, sqs_event
        from tests.support.mail_forms import form_lines, text_mail

        plain_dynamodb = stack.clients("dynamodb")

        def read_back(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
            return plain_dynamodb.get_item(TableName=table, Key=key).get("Item")

        recorder = CallRecorder(read_back)
        workload = Workload(stack, recorder)
        sample = (ROOT / "schemas" / "samples" / "valid" / "correction-zh.json").read_text("utf-8")
        indexes = _indexes(template)

        with recorder.recording(), workload.capturing_logs():
            references = []
            for index in range(SUBMISSIONS):
                body = json.loads(sample)
                body["requester_email"] = f"reader{index}@example.org"
                answer = workload.invoke(
                    "ApiFunction",
                    api.handler,
                    http_event(
                        "POST",
                        "/requests",
                        body=json.dumps(body, ensure_ascii=False),
                        headers={"content-type": "application/json"},
                    ),
                    via_http=True,
                )
                references.append(json.loads(answer["body"])["reference"])
            workload.drain_intake_queue(intake_worker.handler)
            for reference in references:  # each requester follows the link that proves the address theirs
                workload.invoke("ApiFunction", api.handler, _confirm_event(stack, reference), via_http=True)

            for reference in references:
                base = f"/editor/api/requests/{reference}"
                for method, suffix, body in (
                    ("GET", "", None),
                    ("POST", "/claim", {}),
                    ("POST", "/resolve", {"outcome": "corrected", "reply": "已更正。", "public_note": "已更正。"}),
                ):
                    route = "/editor/api/requests/{reference}" + suffix
                    workload.invoke(
                        "EditorFunction",
                        editor_api.handler,
                        _editor_event(method, base + suffix, route, body, reference),
                        via_http=True,
                    )
            web_usage = workload_usage(recorder.calls, workload.invocations, indexes).scaled(1 / SUBMISSIONS)

            # Emailed requests: the raw mail in S3, SES's notification through SNS and SQS.
            mark = len(recorder.calls), len(workload.invocations)
            bucket = stack.ref("RawMailBucket")
            arn = stack.resources["MailIntakeQueue"].attributes["Arn"]
            mails = 5
            for index in range(mails):
                key = f"inbound/{uuid.uuid4().hex}"
                stack.clients("s3").put_object(
                    Bucket=bucket,
                    Key=key,
                    Body=text_mail(form_lines(email=f"mailer{index}@example.org"), sender=f"mailer{index}@example.org"),
                )
                envelope = sns_envelope(ses_received_notification(bucket=bucket, key=key))
                workload.invoke(
                    "MailIntakeFunction", mail_intake.handler, sqs_event([envelope], queue_arn=arn), via_http=False
                )
            workload.drain_intake_queue(intake_worker.handler)
            mail_usage = workload_usage(
                recorder.calls[mark[0] :], workload.invocations[mark[1] :], indexes, mails_received=mails
            ).scaled(1 / mails)

            # One sweep over an open queue of SUBMISSIONS more requests (the reviewed ones are closed).
            for index in range(SUBMISSIONS):
                body = json.loads(sample)
                body["requester_email"] = f"open{index}@example.org"
                workload.invoke(
                    "ApiFunction",
                    api.handler,
                    http_event(
                        "POST", "/requests", body=json.dumps(body), headers={"content-type": "application/json"}
                    ),
                    via_http=True,
                )
            workload.drain_intake_queue(intake_worker.handler)
            mark = len(recorder.calls), len(workload.invocations)
            workload.invoke("DeadlineSweepFunction", deadline_sweep.handler, {}, via_http=False)
            sweep_usage = workload_usage(recorder.calls[mark[0] :], workload.invocations[mark[1] :], indexes)
            sweep_per_open = sweep_usage.scaled(1 / (SUBMISSIONS + mails))  # the emailed ones are open too
            sweep_fixed = Usage(lambda_requests=1, lambda_gb_seconds=sweep_usage.lambda_gb_seconds)

        stored = sum(
            len(json.dumps(item))
            for page in plain_dynamodb.get_paginator("scan").paginate(TableName=stack.ref("RequestsTable"))
            for item in page["Items"]
        )
        requests_stored = 2 * SUBMISSIONS + mails
        return web_usage, mail_usage, sweep_per_open, sweep_fixed, math.ceil(stored / requests_stored)


def _alarm_metrics(template: dict[str, Any]) -> int:
    count = 0
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::CloudWatch::Alarm":
            metrics = resource["Properties"].get("Metrics")
            count += sum(1 for m in metrics if "MetricStat" in m) if metrics else 1
    return count


def _count(template: dict[str, Any], resource_type: str) -> int:
    return sum(1 for r in template["Resources"].values() if r.get("Type") == resource_type)


def _sqs_event_sources(template: dict[str, Any]) -> int:
    return sum(
        1
        for r in template["Resources"].values()
        if r.get("Type") == "AWS::Serverless::Function"
        for e in (r["Properties"].get("Events") or {}).values()
        if e.get("Type") == "SQS"
    )


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.1 else f"${value:,.4f}"


def run() -> list[Row]:
    from infra.local.template import load_template
    from tests.support.aws import ROOT

    template = load_template(ROOT / "template.yaml")
    web, mail, sweep_per_open, sweep_fixed, bytes_per_request = _measure()
    per_request = web.scaled(1 - MAIL_SHARE).add(mail.scaled(MAIL_SHARE))
    per_thousand = dollars(per_request.scaled(1000))

    rows: list[Row] = [
        ("AWS calls per web submission (API + worker + address confirmed + editor review)", _calls(web), "recorded"),
        ("AWS calls per emailed request (mail intake + worker)", _calls(mail), "recorded"),
        ("… of which, per web submission", "by operation", _by_operation(web)),
        (
            "DynamoDB units per web submission (write / read)",
            f"{web.dynamodb_write_units:.1f} / {web.dynamodb_read_units:.1f}",
            "from item sizes",
        ),
        ("Lambda GB-s per web submission", f"{web.lambda_gb_seconds:.3f}", "durations on moto here"),
        ("Cost per 1,000 requests", _money(sum(per_thousand.values())), _breakdown(per_thousand)),
    ]
    for daily in DAILY_VOLUMES:
        monthly_requests = daily * 30
        variable = dollars(per_request.scaled(monthly_requests))
        open_requests = daily * OPEN_DAYS
        fixed = FixedMonthly(
            alarm_metrics=_alarm_metrics(template),
            dashboards=_count(template, "AWS::CloudWatch::Dashboard"),
            kms_keys=_count(template, "AWS::KMS::Key"),
            sqs_event_sources=_sqs_event_sources(template),
            schedule_runs=SWEEPS_PER_MONTH,
            schedule_run_usage=sweep_fixed.add(sweep_per_open.scaled(open_requests)),
        ).dollars()
        storage_gb_year = monthly_requests * 12 * bytes_per_request / 1024**3
        storage = {
            "DynamoDB storage + PITR (after a year)": storage_gb_year
            * (PRICES.dynamodb_storage_gb_month + PRICES.dynamodb_pitr_gb_month)
        }
        total = sum(variable.values()) + sum(fixed.values()) + sum(storage.values())
        rows.append(
            (
                f"Per month at {daily:,} requests a day",
                _money(total),
                f"traffic {_money(sum(variable.values()))} + fixed {_money(sum(fixed.values()))} "
                f"({_breakdown(fixed)}) + storage {_money(sum(storage.values()))}",
            )
        )
    rows.append(
        (
            "Assumptions",
            f"{int(MAIL_SHARE * 100)}% by email, open {OPEN_DAYS:g} days",
            "us-west-2 list prices (bench/prices.py), no free tier, sweep every 15 min",
        )
    )
    return rows


def _calls(usage: Usage) -> str:
    return f"{sum(usage.calls.values()):.1f}"


def _by_operation(usage: Usage) -> str:
    ordered = sorted(usage.calls.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count:g}" for name, count in ordered)


def _breakdown(bill: dict[str, float]) -> str:
    top = sorted(bill.items(), key=lambda item: -item[1])[:4]
    return ", ".join(f"{name} {_money(value)}" for name, value in top if value > 0)
