"""AWS list prices the cost model uses, in US dollars.

Region: us-west-2, where samconfig.toml deploys (the region must offer SES receiving). Taken from
AWS's public pricing pages (on-demand, no free tier, no savings plans); edit here when they change.
The free tiers (Lambda's 1M requests and 400,000 GB-s, SQS's first 1M requests, 3 free dashboards,
10 free alarms, X-Ray's first 100,000 traces…) are left out on purpose: the model answers "what does
this cost once the free tier is used up by everything else in the account".
"""

from __future__ import annotations

from dataclasses import dataclass

MILLION = 1_000_000


@dataclass(frozen=True)
class Prices:
    # Lambda, arm64 (template Globals: Architectures [arm64]); INIT is billed like the handler's time.
    lambda_gb_second: float = 0.0000133334
    lambda_request: float = 0.20 / MILLION
    # API Gateway HTTP API, per request (each 512 KB counts as one).
    http_api_request: float = 1.00 / MILLION
    # DynamoDB on-demand: write and read request units, storage and point-in-time recovery per GB-month.
    dynamodb_write_unit: float = 0.625 / MILLION
    dynamodb_read_unit: float = 0.125 / MILLION
    dynamodb_storage_gb_month: float = 0.25
    dynamodb_pitr_gb_month: float = 0.20
    # SQS standard queues, per request (each 64 KB chunk of a message counts as one).
    sqs_request: float = 0.40 / MILLION
    # SES: each recipient of an outgoing message counts as one email; incoming mail per message and per 256 KB chunk.
    ses_email_sent: float = 0.10 / 1000
    ses_email_received: float = 0.10 / 1000
    ses_received_chunk: float = 0.09 / 1000
    # S3 Standard.
    s3_put: float = 0.005 / 1000
    s3_get: float = 0.0004 / 1000
    s3_storage_gb_month: float = 0.023
    # SNS publish (delivery to SQS costs nothing), EventBridge custom events (per 64 KB chunk), Scheduler.
    sns_publish: float = 0.50 / MILLION
    events_put: float = 1.00 / MILLION
    scheduler_invocation: float = 1.00 / MILLION
    # CloudWatch Logs ingestion and storage, alarms (per metric an alarm evaluates), dashboards.
    logs_ingested_gb: float = 0.50
    logs_stored_gb_month: float = 0.03
    alarm_metric_month: float = 0.10
    dashboard_month: float = 3.00
    # KMS: each customer-managed key, and requests (SES and SNS use the mail topic's key per message).
    kms_key_month: float = 1.00
    kms_request: float = 0.03 / 10_000
    # X-Ray: the functions have Tracing: Active, so Lambda records a trace per invocation.
    xray_trace: float = 5.00 / MILLION


PRICES = Prices()
