"""The cost model's arithmetic follows AWS's documented billing rules."""

from __future__ import annotations

import pytest

from bench.cost_model import (
    Call,
    FixedMonthly,
    IndexSpec,
    Invocation,
    Usage,
    dollars,
    dynamodb_units,
    item_size,
    read_units,
    workload_usage,
    write_units,
)
from bench.prices import PRICES

QUEUE = IndexSpec("queue", ("queue_status", "queue_order"), projects_all=True)
ARTICLE = IndexSpec("article", ("article_key",), projects_all=False)


def test_item_size_counts_names_and_values_as_dynamodb_documents():
    # "abc" (3) + "hello" (5); "n" (1) + 12345 → three digit pairs + 1; "flag" (4) + 1.
    assert item_size({"abc": {"S": "hello"}}) == 8
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1
    assert item_size({"flag": {"BOOL": True}}) == 5
    assert item_size({"中": {"S": "文"}}) == 6  # UTF-8 bytes, not characters
    assert item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + 1 + 1 + 1


def test_a_write_costs_a_unit_per_kilobyte_plus_each_index_it_lands_in_and_double_in_a_transaction():
    small = {"pk": {"S": "a"}}
    big = {"pk": {"S": "a"}, "body": {"S": "x" * 2500}}
    in_queue = {**big, "queue_status": {"S": "queued"}, "queue_order": {"S": "1"}}

    assert write_units(small, [QUEUE, ARTICLE], transactional=False) == 1
    assert write_units(big, [QUEUE], transactional=False) == 3
    assert write_units(in_queue, [QUEUE], transactional=False) == 6  # table 3 + index (all attributes) 3
    assert write_units(in_queue, [QUEUE], transactional=True) == 12


def test_reads_cost_a_unit_per_4_kb_half_when_eventually_consistent():
    assert read_units(100, consistent=False) == 0.5
    assert read_units(5000, consistent=False) == 1.0
    assert read_units(5000, consistent=True) == 2.0
    assert read_units(100, consistent=True, transactional=True) == 2.0


def test_a_query_is_rounded_up_once_over_all_its_items():
    items = [{"pk": {"S": "x" * 1000}} for _ in range(3)]
    call = Call("F", "dynamodb", "Query", {}, {"Items": items})
    assert dynamodb_units(call, []) == (0.0, 0.5)


def test_ses_bills_each_recipient_and_sqs_each_64_kb():
    mail = Call("F", "sesv2", "SendEmail", {"Destination": {"ToAddresses": ["a@x", "b@x"]}}, {})
    message = Call("F", "sqs", "SendMessage", {"MessageBody": "x" * (70 * 1024)}, {})
    usage = workload_usage([mail, message], [], [])

    assert usage.ses_emails_sent == 2
    assert usage.sqs_requests == 2
    assert usage.calls == {"sesv2:SendEmail": 1, "sqs:SendMessage": 1}


def test_lambda_bills_milliseconds_at_the_configured_memory():
    usage = workload_usage([], [Invocation("F", 1024, 99.2, 0, via_http=True)], [])
    assert usage.lambda_gb_seconds == pytest.approx(0.1)
    assert usage.http_requests == 1
    bill = dollars(usage)
    assert bill["Lambda"] == pytest.approx(PRICES.lambda_request + 0.1 * PRICES.lambda_gb_second)
    assert bill["API Gateway"] == pytest.approx(PRICES.http_api_request)


def test_scaling_and_adding_usage_keeps_every_field():
    one = Usage(dynamodb_write_units=2, sqs_requests=1, calls={"sqs:SendMessage": 1})
    total = one.add(one).scaled(500)
    assert total.dynamodb_write_units == 2000
    assert total.sqs_requests == 1000
    assert total.calls == {"sqs:SendMessage": 1000}


def test_fixed_monthly_costs_count_alarms_keys_and_the_idle_polling_of_each_queue():
    fixed = FixedMonthly(
        alarm_metrics=10, dashboards=1, kms_keys=2, sqs_event_sources=2, schedule_runs=0, schedule_run_usage=Usage()
    ).dollars()
    assert fixed["CloudWatch alarms"] == pytest.approx(1.0)
    assert fixed["KMS keys"] == pytest.approx(2.0)
    assert fixed["SQS idle polling"] == pytest.approx(2 * 648_000 * PRICES.sqs_request)
