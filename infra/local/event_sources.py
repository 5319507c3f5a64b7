"""The functions' event sources, as the template declares them: queues, topics, streams and schedules.

One thread each, started after the handlers are loaded; every thread stops when `stopping` is set.
They stand in for Lambda's event source mappings and EventBridge, so they call the endpoint through
the housekeeping clients, which the fault switches let through (infra/local/faults.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .event_filters import compile_filters
from .lambda_runtime import FunctionSpec, LocalFunction
from .pollers import QueueActivity, ScheduleTicker, SnsEventSource, SqsEventSource, describe_schedule
from .resources import PHYSICAL_NAME_PREFIX, AwsClients
from .streams import DynamoDBStreamEventSource, TableActivity
from .template import ACCOUNT_ID, REGION, IntrinsicResolver

log = logging.getLogger(__name__)

# A schedule ticks at its own rate locally (`rate(15 minutes)`: every 900 s), as in AWS: a faster
# tick re-reads every open request each time and starves the worker under a burst (bench burst).
# LOCAL_SCHEDULE_SECONDS sets another interval; other expressions (cron) tick every 30 s.
DEFAULT_SCHEDULE_SECONDS = 30.0
_RATE_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class EventSources:
    resolver: IntrinsicResolver
    functions: Mapping[str, LocalFunction]
    clients: AwsClients
    stopping: threading.Event
    queue_activity: QueueActivity
    table_activity: TableActivity
    retry_after_seconds: float
    schedule_seconds: float | None = None

    def start_all(self, specs: Sequence[FunctionSpec]) -> list[threading.Thread]:
        """Start a thread for every event source the functions declare (HttpApi is the gateway's)."""
        started: list[threading.Thread] = []
        for spec in specs:
            for event_name, event in spec.events.items():
                kind = event.get("Type")
                props = self.resolver.resolve(event.get("Properties") or {})
                name = f"{spec.logical_id}.{event_name}"
                if kind == "HttpApi":
                    continue  # the gateway's
                if props.get("Enabled") is False or props.get("State") == "DISABLED":
                    log.info("%s: %s event disabled in the template", name, kind)
                    continue
                if kind == "SQS":
                    source: threading.Thread = self._sqs_source(spec, name, props)
                elif kind in ("Schedule", "ScheduleV2"):
                    source = self._schedule_ticker(spec, name, kind, props)
                elif kind == "SNS":
                    source = self._sns_source(spec, name, props)
                elif kind == "DynamoDB":
                    source = self._stream_source(spec, name, props)
                else:
                    log.warning("%s: %s events are not emulated locally; nothing will trigger it", name, kind)
                    continue
                source.start()
                started.append(source)
        return started

    def _sqs_source(self, spec: FunctionSpec, name: str, props: Mapping[str, Any]) -> SqsEventSource:
        queue_arn = str(props["Queue"])
        queue_url = self.clients("sqs").get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        return SqsEventSource(
            function=self.functions[spec.logical_id],
            sqs=self.clients("sqs"),
            queue_url=queue_url,
            queue_arn=queue_arn,
            batch_size=int(props.get("BatchSize", 10)),
            batching_window_seconds=props.get("MaximumBatchingWindowInSeconds"),
            max_concurrency=(props.get("ScalingConfig") or {}).get("MaximumConcurrency"),
            report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            stopping=self.stopping,
            activity=self.queue_activity,
            retry_after_seconds=self.retry_after_seconds,
            name=name,
        )

    def _stream_source(self, spec: FunctionSpec, name: str, props: Mapping[str, Any]) -> DynamoDBStreamEventSource:
        # Lambda's event source mapping reads the stream and sends to OnFailure: not the functions' calls.
        on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        on_failure_url = None
        if on_failure:
            if not str(on_failure).startswith("arn:aws:sqs:"):
                raise ValueError(f"{name}: only an SQS OnFailure destination is emulated locally, not {on_failure}")
            on_failure_url = self.clients("sqs").get_queue_url(QueueName=str(on_failure).rsplit(":", 1)[-1])["QueueUrl"]
        return DynamoDBStreamEventSource(
            function=self.functions[spec.logical_id],
            streams=self.clients("dynamodbstreams"),
            sqs=self.clients("sqs"),
            stream_arn=str(props["Stream"]),
            starting_position=str(props.get("StartingPosition", "LATEST")),
            batch_size=int(props.get("BatchSize", 100)),
            batching_window_seconds=float(props.get("MaximumBatchingWindowInSeconds") or 0),
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            filters=compile_filters(props.get("FilterCriteria")),
            on_failure_queue_url=on_failure_url,
            stopping=self.stopping,
            activity=self.table_activity,
            retry_after_seconds=self.retry_after_seconds,
            name=name,
        )

    def _schedule_ticker(self, spec: FunctionSpec, name: str, kind: str, props: Mapping[str, Any]) -> ScheduleTicker:
        expression = str(props.get("Schedule") or props.get("ScheduleExpression") or "")
        interval = self.schedule_seconds or float(
            os.environ.get("LOCAL_SCHEDULE_SECONDS") or rate_seconds(expression) or DEFAULT_SCHEDULE_SECONDS
        )
        rule_name = str(props.get("Name") or f"{PHYSICAL_NAME_PREFIX}{spec.logical_id}-{name.split('.')[-1]}")
        if kind == "ScheduleV2":
            rule_arn, source = f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{rule_name}", "aws.scheduler"
        else:
            rule_arn, source = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule_name}", "aws.events"
        payload = json.loads(props["Input"]) if props.get("Input") else None
        log.info("%s: %s in AWS, every %g s locally", name, describe_schedule(expression), interval)
        return ScheduleTicker(
            function=self.functions[spec.logical_id],
            rule_arn=rule_arn,
            source=source,
            interval_seconds=interval,
            payload=payload,
            stopping=self.stopping,
            name=name,
        )

    def _sns_source(self, spec: FunctionSpec, name: str, props: Mapping[str, Any]) -> SnsEventSource:
        # Lambda is subscribed to the topic in AWS; locally a private queue stands in for that subscription.
        queue_name = f"{PHYSICAL_NAME_PREFIX}{name.replace('.', '-')}-sns"
        sqs, sns = self.clients("sqs"), self.clients("sns")
        queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        attributes = {"FilterPolicy": json.dumps(props["FilterPolicy"])} if props.get("FilterPolicy") else {}
        subscription = sns.subscribe(
            TopicArn=props["Topic"],
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}",
            Attributes=attributes,
        )
        return SnsEventSource(
            function=self.functions[spec.logical_id],
            sqs=sqs,
            queue_url=queue_url,
            subscription_arn=subscription["SubscriptionArn"],
            stopping=self.stopping,
            activity=self.queue_activity,
            retry_after_seconds=self.retry_after_seconds,
            name=name,
        )


def rate_seconds(expression: str) -> float | None:
    """`rate(15 minutes)` -> 900.0; None for anything else (a cron expression)."""
    match = re.fullmatch(r"rate\((\d+)\s+(minute|hour|day)s?\)", expression.strip())
    return float(int(match.group(1)) * _RATE_UNIT_SECONDS[match.group(2)]) if match else None
