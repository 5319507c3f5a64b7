"""The SQS consumer: received -> queued, one acknowledgement, partial batch failures."""

import json

from tests.integration.intake.conftest import body_of, confirm_call
from tests.support.events import sqs_event


def test_a_new_request_is_queued_and_acknowledged_in_its_language(
    aws, post_json, valid_request, drain_intake_queue, sent_mail
):
    reference = body_of(post_json(dict(valid_request, language="en")))["reference"]
    answers = drain_intake_queue()

    assert answers == [{"batchItemFailures": []}]
    # Issue 9: a typed address is first asked to confirm (test_address_confirmation.py); once it
    # has, the acknowledgement follows in the request's language.
    [notice] = sent_mail()
    confirmed = confirm_call(aws, "POST", notice.get_body(("plain",)).get_content(), html=False)
    assert confirmed["statusCode"] == 200
    message = sent_mail()[-1]
    assert message["To"] == valid_request["requester_email"]
    assert message["Subject"] == f"[{reference}] We have received your correction request"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Reply-To"] == "lxwm@news.example.cn"
    text = message.get_body(("plain",)).get_content()
    assert f"http://corrigo.test/requests/{reference}?token=" in text
    assert "Article title: 某市举行秋季运动会" in text


def test_redelivery_sends_no_second_acknowledgement(aws, post_json, valid_request, sent_mail):
    from handlers import intake_worker

    reference = body_of(post_json(valid_request))["reference"]
    event = sqs_event([json.dumps({"reference": reference})])
    intake_worker.handler(event, aws.context("IntakeWorkerFunction"))
    intake_worker.handler(event, aws.context("IntakeWorkerFunction"))

    assert len(sent_mail()) == 1


def test_a_bad_message_fails_alone(aws, post_json, valid_request, sent_mail):
    from handlers import intake_worker

    reference = body_of(post_json(valid_request))["reference"]
    event = sqs_event(["not json", json.dumps({"reference": reference})])
    answer = intake_worker.handler(event, aws.context("IntakeWorkerFunction"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert len(sent_mail()) == 1


def test_a_honeypot_catch_is_held_and_gets_no_email(aws, post_json, valid_request, drain_intake_queue, api, sent_mail):
    answer = body_of(post_json(dict(valid_request, website="http://spam.example")))
    drain_intake_queue()

    token = answer["status_url"].split("token=")[1]
    status = body_of(api("GET", f"/requests/{answer['reference']}", query={"token": token}))
    assert status["status"] == "quarantined"
    assert sent_mail() == []
