"""Fault injection: DynamoDB throttling, SQS send failure, SES throttling and outage, S3 read failure.

In every case no request is lost; the API answers 503 with Retry-After where it cannot persist
(never a bare 500); and everything completes, exactly once, when the fault clears.
"""

import json
import time
from datetime import timedelta

import pytest

from adapters.mail_markers import MailMarkers
from corrigo.lifecycle import Status

# When every record of a batch fails, Powertools raises instead of reporting them one by one: the
# invocation fails and Lambda hands SQS the whole batch back, which is the same outcome.
from handlers.partial_batch import BatchFailed
from tests.integration.intake.conftest import body_of
from tests.support.events import sqs_event
from tests.support.faults import failing


@pytest.fixture
def clients(aws):
    from adapters.aws import client

    return client


@pytest.fixture
def table(aws):
    from adapters.requests_table import RequestsTable

    return RequestsTable(aws.ref("RequestsTable"))


def _stored(aws) -> list[dict]:
    return aws.clients("dynamodb").scan(TableName=aws.ref("RequestsTable"))["Items"]


@pytest.mark.parametrize(
    ("code", "status"),
    [("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400), ("InternalServerError", 500)],
)
def test_dynamodb_throttling_on_submit_is_a_503_with_retry_after_and_stores_nothing(
    aws, clients, post_json, valid_request, code, status
):
    with failing(clients("dynamodb"), "TransactWriteItems", code, status) as refused:
        response = post_json(valid_request, {"accept-language": "en"})

    assert refused
    assert response["statusCode"] == 503
    assert int(response["headers"]["Retry-After"]) > 0
    assert "did not save" in body_of(response)["message"]
    assert _stored(aws) == []
    assert post_json(valid_request)["statusCode"] == 202  # the fault cleared: the retry goes through


def test_a_dynamodb_error_retrying_cannot_fix_is_still_a_503_not_a_bare_500(aws, clients, post_json, valid_request):
    with failing(clients("dynamodb"), "TransactWriteItems", "ValidationException", 400):
        response = post_json(valid_request)
    assert response["statusCode"] == 503
    assert "Retry-After" in response["headers"]


def test_sqs_send_failure_keeps_the_request_and_the_sweep_queues_it_once_sqs_is_back(
    aws, clients, post_json, valid_request, drain_intake_queue, table, sent_mail
):
    from handlers import deadline_sweep

    with failing(clients("sqs"), "SendMessage", "AWS.SimpleQueueService.ServiceUnavailable", 503):
        response = post_json(valid_request)
        # Still down when the sweep first runs: nothing lost, the request waits in `received`.
        with pytest.raises(Exception, match="SQS"):
            deadline_sweep.service().sweep(_queue(aws), stale_after=timedelta(0))
    reference = body_of(response)["reference"]

    assert response["statusCode"] == 202  # stored: the requester has their reference
    assert table.get(reference).status is Status.RECEIVED
    assert drain_intake_queue() == []

    assert deadline_sweep.service().sweep(_queue(aws), stale_after=timedelta(0))["requeued"] == 1
    drain_intake_queue()
    assert table.get(reference).status is Status.QUEUED
    assert len(sent_mail()) == 1


def _queue(aws):
    from adapters.queues import Queue

    return Queue(aws.ref("IntakeQueue"))


@pytest.mark.parametrize(
    ("code", "status"), [("TooManyRequestsException", 429), ("ServiceUnavailable", 503)], ids=["throttled", "outage"]
)
def test_ses_throttling_or_outage_fails_no_message_and_each_acknowledgement_goes_once_when_it_is_back(
    aws, post_json, valid_request, table, sent_mail, deliver_outbox, code, status
):
    from adapters.mailer import ses_client
    from corrigo import outbox
    from handlers import intake_worker

    first = body_of(post_json(valid_request))["reference"]
    second = body_of(post_json({**valid_request, "requester_email": "lisi@example.com"}))["reference"]
    event = sqs_event([json.dumps({"reference": first}), json.dumps({"reference": second})])

    with failing(ses_client(), "SendEmail", code, status) as refused:
        # Screening and the promised acknowledgements are one write: SES has no say in it.
        assert intake_worker.handler(event, aws.context("IntakeWorkerFunction")) == {"batchItemFailures": []}
        assert sent_mail() == []
    assert refused, "SES was never called"
    assert table.get(first).status is Status.QUEUED and table.get(second).status is Status.QUEUED
    # SQS may redeliver the intake message: the requests are screened already, nothing more is promised.
    assert intake_worker.handler(event, aws.context("IntakeWorkerFunction")) == {"batchItemFailures": []}

    time.sleep(outbox.retry_delay(1) + 0.5)  # the retry message's delay
    assert sorted(m["To"] for m in sent_mail()) == ["lisi@example.com", "zhangsan@example.com"]
    assert len(sent_mail()) == 2


def test_dynamodb_throttling_in_the_worker_fails_the_batch_items_and_they_complete_later(
    aws, clients, post_json, valid_request, table, sent_mail
):
    from handlers import intake_worker

    reference = body_of(post_json(valid_request))["reference"]
    event = sqs_event([json.dumps({"reference": reference})])
    with (
        failing(clients("dynamodb"), "GetItem", "ProvisionedThroughputExceededException"),
        pytest.raises(BatchFailed),
    ):
        intake_worker.handler(event, aws.context("IntakeWorkerFunction"))

    assert table.get(reference).status is Status.RECEIVED
    assert intake_worker.handler(event, aws.context("IntakeWorkerFunction")) == {"batchItemFailures": []}
    assert table.get(reference).status is Status.QUEUED
    assert len(sent_mail()) == 1


def test_an_s3_read_failure_fails_the_mail_alone_and_the_redelivery_takes_it_in(aws, clients, table):
    import uuid

    from handlers import mail_intake
    from tests.support.events import ses_received_notification, sns_envelope

    bucket = aws.ref("RawMailBucket")
    key = f"inbound/{uuid.uuid4().hex}"
    raw = (
        "From: 张三 <zhangsan@example.com>\r\nTo: lxwm@news.example.cn\r\nSubject: 稿件修改申请\r\n"
        "Message-ID: <fault-s3@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "稿件标题：某市举行秋季运动会\r\n"
    ).encode()
    aws.clients("s3").put_object(Bucket=bucket, Key=key, Body=raw)
    body = sns_envelope(ses_received_notification(bucket=bucket, key=key))
    event = sqs_event([body], queue_arn=aws.resources["MailIntakeQueue"].attributes["Arn"])

    with failing(clients("s3"), "GetObject", "SlowDown", 503), pytest.raises(BatchFailed):
        mail_intake.handler(event, aws.context("MailIntakeFunction"))

    assert MailMarkers(table.db).seen([f"object:{bucket}/{key}"]) is None  # nothing half-done
    assert mail_intake.handler(event, aws.context("MailIntakeFunction")) == {"batchItemFailures": []}
    assert MailMarkers(table.db).seen([f"object:{bucket}/{key}"]) is not None
