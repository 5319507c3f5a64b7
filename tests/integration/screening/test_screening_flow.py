"""Screening in the intake worker: verdicts, reports editors can read, who is acknowledged."""

import re
import time

from corrigo import formtoken
from corrigo.lifecycle import Status
from tests.integration.screening.conftest import reference_of

SECRET = "test-form-signing-secret"  # tests/support/aws.py sets it as FormSigningSecret


def test_the_form_page_embeds_a_signed_render_time(api):
    page = api("GET", "/")
    token = re.search(r'name="form_token" value="([^"]+)"', page["body"]).group(1)
    assert formtoken.check(token, SECRET, time.time()).state is formtoken.TokenState.VALID
    assert page["headers"]["Cache-Control"] == "no-store"


def test_a_person_who_took_their_time_is_queued(post_form, valid_request, drain_intake_queue, table, sent_mail):
    token = formtoken.issue(SECRET, time.time() - 90)
    reference = reference_of(post_form({**valid_request, "form_token": token}))
    drain_intake_queue()

    request = table.get(reference)
    assert request.status is Status.QUEUED
    assert request.screening == {"verdict": "pass", "score": 0, "findings": []}
    assert len(sent_mail()) == 1


def test_a_form_posted_instantly_is_held_with_its_reason_and_acknowledged(
    post_form, valid_request, drain_intake_queue, table, sent_mail
):
    reference = reference_of(post_form({**valid_request, "form_token": formtoken.issue(SECRET, time.time())}))
    drain_intake_queue()

    request = table.get(reference)
    assert request.status is Status.QUARANTINED
    assert request.screening["verdict"] == "suspect"
    [finding] = request.screening["findings"]
    assert finding["rule"] == "too_fast"
    assert "秒即提交" in finding["zh"] and "after the form was served" in finding["en"]
    _, events, _ = table.history(reference)
    assert events[-1].detail.startswith("suspect (4): ")
    assert len(sent_mail()) == 1  # suspect: held for a person to check, the requester still told


def test_a_form_post_without_the_token_is_suspect_but_a_json_client_is_not(
    post_form, post_json, valid_request, drain_intake_queue, table
):
    web = reference_of(post_form(valid_request))
    api_ = reference_of(post_json({**valid_request, "requester_email": "other@example.com"}))
    drain_intake_queue()

    assert [f["rule"] for f in table.get(web).screening["findings"]] == ["form_token_missing"]
    assert table.get(api_).status is Status.QUEUED


def test_certain_spam_is_held_flagged_hidden_and_not_acknowledged(
    post_json, valid_request, drain_intake_queue, table, sent_mail
):
    spam = {
        **valid_request,
        "reason": "代开发票 casino https://a.example https://b.example https://c.example https://d.example",
    }
    reference = reference_of(post_json(spam))
    drain_intake_queue()

    request = table.get(reference)
    assert request.status is Status.QUARANTINED
    assert "spam" in request.flags
    assert request.screening["verdict"] == "spam"
    assert {"banned_words", "many_links"} <= {f["rule"] for f in request.screening["findings"]}
    assert sent_mail() == []


def test_a_honeypot_catch_gets_no_email_and_says_why(post_json, valid_request, drain_intake_queue, table, sent_mail):
    reference = reference_of(post_json({**valid_request, "website": "http://bot.example"}))
    drain_intake_queue()

    request = table.get(reference)
    assert request.screening["findings"][0]["rule"] == "honeypot"
    assert request.status is Status.QUARANTINED
    assert sent_mail() == []


def test_the_status_page_shows_no_screening_details(post_json, api, valid_request, drain_intake_queue):
    from tests.integration.intake.conftest import body_of

    answer = body_of(post_json({**valid_request, "requester_email": "x@mailinator.com"}))
    drain_intake_queue()
    token = answer["status_url"].split("token=")[1]
    status = api("GET", f"/requests/{answer['reference']}", query={"token": token})
    assert "disposable" not in status["body"] and "screening" not in status["body"]
