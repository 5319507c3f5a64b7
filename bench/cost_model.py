"""What AWS bills for the calls a workload made: pure arithmetic, no AWS.

The input is what the recorder saw (each function's AWS calls with their parameters and answers,
each invocation's duration and log volume); the output is billable units, then dollars at
`bench.prices`. DynamoDB's units follow its documented rules: a write is 1 unit per KB of the item
(2 in a transaction), plus the same for each global secondary index the item appears in; a read is
1 unit per 4 KB (half when eventually consistent, 2 in a transaction), summed over a query's items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.prices import PRICES, Prices

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index: an item appears in it when it has every key attribute."""

    name: str
    key_attributes: tuple[str, ...]
    projects_all: bool


@dataclass(frozen=True)
class Call:
    """One AWS call. `written` holds the items a write left behind (read back after the call), with
    whether each was part of a transaction; reads carry their answer in `response`."""

    function: str | None
    service: str
    operation: str
    params: Mapping[str, Any]
    response: Mapping[str, Any]
    written: tuple[tuple[Mapping[str, Any], bool], ...] = ()


@dataclass(frozen=True)
class Invocation:
    function: str
    memory_mb: int
    duration_ms: float
    log_bytes: int
    via_http: bool


@dataclass
class Usage:
    """Billable units, summed over a workload."""

    dynamodb_write_units: float = 0.0
    dynamodb_read_units: float = 0.0
    sqs_requests: int = 0
    ses_emails_sent: int = 0
    ses_emails_received: int = 0
    ses_received_chunks: int = 0
    s3_puts: int = 0
    s3_gets: int = 0
    sns_publishes: int = 0
    events_put: int = 0
    kms_requests: int = 0
    lambda_requests: int = 0
    lambda_gb_seconds: float = 0.0
    http_requests: int = 0
    log_bytes: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, other: Usage) -> Usage:
        total = Usage()
        for name in vars(total):
            if name == "calls":
                merged = dict(self.calls)
                for key, count in other.calls.items():
                    merged[key] = merged.get(key, 0) + count
                total.calls = merged
            else:
                setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def scaled(self, factor: float) -> Usage:
        scaled = Usage()
        for name, value in vars(self).items():
            if name == "calls":
                scaled.calls = {key: count * factor for key, count in value.items()}  # type: ignore[misc]
            else:
                setattr(scaled, name, value * factor)
        return scaled


# --- DynamoDB item sizes and units --------------------------------------------------------------


def attribute_value_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed value (its documented item-size rules)."""
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(str(inner).encode("utf-8"))
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner) if isinstance(inner, (bytes, bytearray)) else len(str(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_value_size({kind[0]: member}) for member in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(member) for member in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + attribute_value_size(member) for name, member in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_value_size(value) for name, value in item.items())


def write_units(item: Mapping[str, Mapping[str, Any]], indexes: Sequence[IndexSpec], *, transactional: bool) -> float:
    """Units for writing one item: the table, then every index the item is in."""
    size_units = max(1, math.ceil(item_size(item) / KB))
    units = float(size_units)
    for index in indexes:
        if all(name in item for name in index.key_attributes):
            projected = item if index.projects_all else {k: item[k] for k in index.key_attributes}
            units += max(1, math.ceil(item_size(projected) / KB))
    return units * (2 if transactional else 1)


def read_units(total_bytes: int, *, consistent: bool, transactional: bool = False) -> float:
    blocks = max(1, math.ceil(total_bytes / (4 * KB)))
    if transactional:
        return 2.0 * blocks
    return float(blocks) if consistent else blocks / 2


def dynamodb_units(call: Call, indexes: Sequence[IndexSpec]) -> tuple[float, float]:
    """(write units, read units) of one DynamoDB call."""
    op, params, response = call.operation, call.params, call.response
    writes = sum(write_units(item, indexes, transactional=in_tx) for item, in_tx in call.written)
    if op in ("DeleteItem",) and not call.written:
        writes = 1.0
    if op == "TransactWriteItems":
        # Deletes leave nothing to read back: one unit each (our items are small), doubled.
        deleted = sum(1 for entry in params.get("TransactItems", []) if "Delete" in entry)
        writes += 2.0 * deleted
    consistent = bool(params.get("ConsistentRead"))
    if op == "GetItem":
        return writes, read_units(item_size(response.get("Item") or {}), consistent=consistent)
    if op in ("Query", "Scan"):
        total = sum(item_size(item) for item in response.get("Items") or [])
        return writes, read_units(total, consistent=consistent)
    if op == "BatchGetItem":
        items = [item for table_items in (response.get("Responses") or {}).values() for item in table_items]
        return writes, sum(read_units(item_size(item), consistent=consistent) for item in items)
    if op == "TransactGetItems":
        items = [entry.get("Item") or {} for entry in response.get("Responses") or []]
        return writes, sum(read_units(item_size(item), consistent=True, transactional=True) for item in items)
    return writes, 0.0


# --- every other service --------------------------------------------------------------------------


def _chunks(size: int, chunk: int) -> int:
    return max(1, math.ceil(size / chunk))


def call_usage(call: Call, indexes: Sequence[IndexSpec]) -> Usage:
    usage = Usage(calls={f"{call.service}:{call.operation}": 1})
    service, op, params = call.service, call.operation, call.params
    if service == "dynamodb":
        usage.dynamodb_write_units, usage.dynamodb_read_units = dynamodb_units(call, indexes)
    elif service == "sqs":
        if op == "SendMessageBatch":
            sizes = [len(str(e.get("MessageBody", "")).encode()) for e in params.get("Entries", [])]
            usage.sqs_requests = _chunks(sum(sizes), 64 * KB)
        elif op == "SendMessage":
            usage.sqs_requests = _chunks(len(str(params.get("MessageBody", "")).encode()), 64 * KB)
        else:
            usage.sqs_requests = 1
    elif service in ("ses", "sesv2") and op in ("SendEmail", "SendRawEmail"):
        usage.ses_emails_sent = max(1, _recipients(params))
    elif service == "s3":
        if op in ("PutObject", "CopyObject", "ListObjectsV2", "ListObjects"):
            usage.s3_puts = 1
        elif op in ("GetObject", "HeadObject"):
            usage.s3_gets = 1
    elif service == "sns" and op == "Publish":
        usage.sns_publishes = 1
    elif service == "events" and op == "PutEvents":
        usage.events_put = sum(
            _chunks(len(str(entry.get("Detail", "")).encode()), 64 * KB) for entry in params.get("Entries", [])
        )
    return usage


def _recipients(params: Mapping[str, Any]) -> int:
    destination = params.get("Destination") or {}
    listed = sum(len(destination.get(key) or []) for key in ("ToAddresses", "CcAddresses", "BccAddresses"))
    return listed or len(params.get("Destinations") or [])


def invocation_usage(invocation: Invocation) -> Usage:
    # Lambda bills each invocation's duration rounded up to the millisecond, at the configured memory.
    billed_seconds = math.ceil(invocation.duration_ms) / 1000
    return Usage(
        lambda_requests=1,
        lambda_gb_seconds=billed_seconds * invocation.memory_mb / 1024,
        http_requests=1 if invocation.via_http else 0,
        # Lambda adds START, END and REPORT lines (~300 bytes) to what the function logs.
        log_bytes=invocation.log_bytes + 300,
    )


def workload_usage(
    calls: Iterable[Call], invocations: Iterable[Invocation], indexes: Sequence[IndexSpec], *, mails_received: int = 0
) -> Usage:
    total = Usage()
    for call in calls:
        total = total.add(call_usage(call, indexes))
    for invocation in invocations:
        total = total.add(invocation_usage(invocation))
    if mails_received:
        # SES receives, stores to S3 (its own PUT) and publishes to SNS encrypted with our key.
        total = total.add(
            Usage(
                ses_emails_received=mails_received,
                ses_received_chunks=mails_received,
                s3_puts=mails_received,
                sns_publishes=mails_received,
                kms_requests=2 * mails_received,  # SES encrypts for SNS; SQS's delivery decrypts
                sqs_requests=mails_received,
            )
        )
    return total


def dollars(usage: Usage, prices: Prices = PRICES) -> dict[str, float]:
    """The bill of a usage, by service."""
    return {
        "Lambda": usage.lambda_requests * prices.lambda_request + usage.lambda_gb_seconds * prices.lambda_gb_second,
        "API Gateway": usage.http_requests * prices.http_api_request,
        "DynamoDB": usage.dynamodb_write_units * prices.dynamodb_write_unit
        + usage.dynamodb_read_units * prices.dynamodb_read_unit,
        "SQS": usage.sqs_requests * prices.sqs_request,
        "SES": usage.ses_emails_sent * prices.ses_email_sent
        + usage.ses_emails_received * prices.ses_email_received
        + usage.ses_received_chunks * prices.ses_received_chunk,
        "S3": usage.s3_puts * prices.s3_put + usage.s3_gets * prices.s3_get,
        "SNS": usage.sns_publishes * prices.sns_publish,
        "EventBridge": usage.events_put * prices.events_put,
        "KMS": usage.kms_requests * prices.kms_request,
        "CloudWatch Logs": usage.log_bytes / GB * prices.logs_ingested_gb,
        "X-Ray": usage.lambda_requests * prices.xray_trace,
    }


@dataclass(frozen=True)
class FixedMonthly:
    """What the stack costs each month whatever the traffic."""

    alarm_metrics: int
    dashboards: int
    kms_keys: int
    sqs_event_sources: int
    schedule_runs: int
    schedule_run_usage: Usage

    def dollars(self, prices: Prices = PRICES) -> dict[str, float]:
        # Lambda's SQS pollers long-poll each queue all month (≈5 pollers, 20 s waits: ≈650,000 requests).
        idle_polls = self.sqs_event_sources * 5 * 3 * 60 * 24 * 30
        sweep = dollars(self.schedule_run_usage.scaled(self.schedule_runs), prices)
        return {
            "CloudWatch alarms": self.alarm_metrics * prices.alarm_metric_month,
            "CloudWatch dashboard": self.dashboards * prices.dashboard_month,
            "KMS keys": self.kms_keys * prices.kms_key_month,
            "SQS idle polling": idle_polls * prices.sqs_request,
            "Deadline sweep": sum(sweep.values()) + self.schedule_runs * prices.scheduler_invocation,
        }
