"""The outbox consumer on the template's resources (in-process moto): each message delivered once,
an outage retried until it passes, a refused address recorded on the request for editors."""

from __future__ import annotations

import json
import time

import pytest

from adapters.aws import client
from adapters.mailer import ses_client
from adapters.outbox_table import OutboxTable
from corrigo import outbox
from corrigo.outbox import UNDELIVERABLE_FLAG
from tests.support.faults import failing

NOW = "2026-12-01T10:00:00.000Z"


def submitted(post_json, valid_request) -> str:
    answer = post_json(valid_request)
    assert answer["statusCode"] == 202, answer
    return json.loads(answer["body"])["reference"]


def put_message(aws, message: outbox.OutboxMessage) -> None:
    table = OutboxTable(aws.ref("OutboxTable"))
    client("dynamodb").transact_write_items(TransactItems=[table.put_write(message, int(time.time()))])


def test_a_message_is_delivered_once_however_often_it_is_handed_over(
    aws, post_json, valid_request, deliver_outbox, sent_mail
):
    reference = submitted(post_json, valid_request)
    before = len(sent_mail())
    put_message(aws, outbox.email("m-once", reference, "acknowledgement", NOW))

    deliver_outbox()
    deliver_outbox.handed_over.clear()  # the stream record again (a Lambda retry, a restored stack)
    deliver_outbox()

    assert len(sent_mail()) == before + 1
    assert deliver_outbox.states()["m-once"] == "sent"


def test_a_message_put_twice_in_one_id_is_refused_by_the_transaction(aws):
    message = outbox.email("m-twice", "CR-2026-AAAAAA", "acknowledgement", NOW)
    put_message(aws, message)
    try:
        put_message(aws, message)
    except client("dynamodb").exceptions.TransactionCanceledException:
        pass
    else:
        raise AssertionError("a second put of the same message id went through")


def test_an_ses_outage_is_retried_and_the_mail_sent_once_when_it_is_back(
    aws, post_json, valid_request, deliver_outbox, sent_mail
):
    reference = submitted(post_json, valid_request)
    before = len(sent_mail())
    put_message(aws, outbox.email("m-outage", reference, "acknowledgement", NOW))

    with failing(ses_client(), "SendEmail", "ServiceUnavailable", 503) as refused:
        deliver_outbox()
    assert refused, "SES was never called"
    assert deliver_outbox.states()["m-outage"] == "pending"
    assert len(sent_mail()) == before

    time.sleep(outbox.retry_delay(1) + 0.5)  # the retry message's delay
    deliver_outbox()

    assert deliver_outbox.states()["m-outage"] == "sent"
    assert len(sent_mail()) == before + 1


def test_an_ses_outage_of_more_tries_than_the_daily_cap_does_not_use_the_cap_up(
    aws, post_json, valid_request, monkeypatch
):
    """Each try SES failed gives its count back: otherwise an outage of as many tries as the cap
    (automatic mail to one address a day) would have the acknowledgement refused once SES is back."""
    from adapters.requests_table import RequestsTable
    from corrigo.errors import ServiceUnavailable
    from handlers import outbox_delivery

    notifier = outbox_delivery.notifier()
    monkeypatch.setattr(notifier, "daily_cap", 2)
    monkeypatch.setattr(outbox_delivery.mailer(), "time_left", None)  # no invocation's deadline here
    request = RequestsTable(aws.ref("RequestsTable")).get(submitted(post_json, valid_request))
    before = ses_accepted()

    with failing(ses_client(), "SendEmail", "ServiceUnavailable", 503) as refused:
        for _ in range(3):
            with pytest.raises(ServiceUnavailable):
                notifier.notify(request, "acknowledgement")
    assert len(refused) == 3

    assert notifier.notify(request, "acknowledgement") is True
    assert ses_accepted() == before + 1


def test_a_refused_address_is_kept_on_the_message_and_flagged_on_the_request(
    aws, post_json, valid_request, deliver_outbox, sent_mail
):
    from adapters.requests_table import RequestsTable

    reference = submitted(post_json, valid_request)
    put_message(aws, outbox.email("m-refused", reference, "acknowledgement", NOW))

    with failing(ses_client(), "SendEmail", "MessageRejected", 400):
        answers = deliver_outbox()

    assert all(answer == {"batchItemFailures": []} for answer in answers)
    assert deliver_outbox.states()["m-refused"] == "refused"
    request = RequestsTable(aws.ref("RequestsTable")).get(reference)
    assert UNDELIVERABLE_FLAG in request.flags


def test_an_event_message_is_published_on_the_outcome_bus(aws, deliver_outbox, bus_events):
    put_message(aws, outbox.event("m-event", "CR-2026-AAAAAA", "CorrectionResolved", NOW, {"outcome": "corrected"}))

    [event] = bus_events()  # what the CMS's rule receives (the consumer runs first)

    assert deliver_outbox.states()["m-event"] == "sent"
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "corrigo",
        "CorrectionResolved",
        {"outcome": "corrected"},
    )


def test_no_mail_is_started_without_time_to_record_it_and_a_later_invocation_sends_it_once(
    aws, post_json, valid_request, deliver_outbox, sent_mail
):
    """A Timeout between SES accepting a mail and its being recorded sends it again on the retry
    (seen once in a 10,000-submission burst): with too little of the invocation left for SES's
    longest answer and the recording, the mail is not started, the record fails unhandled, and the
    next invocation sends it once."""
    from dataclasses import replace

    from adapters.mailer import Mailer
    from handlers import outbox_delivery
    from handlers.partial_batch import BatchFailed
    from infra.local.lambda_runtime import LambdaContext
    from tests.support.outbox import stream_insert

    reference = submitted(post_json, valid_request)
    before = len(sent_mail())
    put_message(aws, outbox.email("m-late", reference, "acknowledgement", NOW))
    [item] = [i for i in deliver_outbox._items() if i["id"]["S"] == "m-late"]
    spec = aws.functions["OutboxDeliveryFunction"]
    nearly_over = LambdaContext(replace(spec, timeout_seconds=Mailer().needs_ms // 1000 - 1))

    # Its only record failed, so the invocation fails and Lambda retries the batch whole.
    with pytest.raises(BatchFailed, match="OutOfTime"):
        outbox_delivery.handler({"Records": [stream_insert(item, aws)]}, nearly_over)
    assert deliver_outbox.states()["m-late"] == "pending"
    assert ses_accepted() == before

    assert len(sent_mail()) == before + 1  # the stream record again, with the whole Timeout
    deliver_outbox.handed_over.clear()  # and once more: already sent
    assert len(sent_mail()) == before + 1
    assert deliver_outbox.states()["m-late"] == "sent"


def test_the_outbox_function_leaves_time_for_a_send(aws):
    """A Timeout shorter than a send needs (SES's longest answer, then the recording) would leave
    every email for a later invocation, for ever."""
    from adapters.mailer import Mailer

    timeout_ms = aws.functions["OutboxDeliveryFunction"].timeout_seconds * 1000
    assert timeout_ms > Mailer().needs_ms, f"OutboxDeliveryFunction's Timeout ({timeout_ms} ms) is too short to send"


def ses_accepted() -> int:
    """How many mails SES (moto) has accepted, read without running the consumer."""
    from infra.local.moto_state import ses_backend

    return len(ses_backend().sent_messages)
