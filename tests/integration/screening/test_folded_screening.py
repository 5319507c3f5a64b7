"""Through the API and the intake worker: a name is screened like any free text, a banned word
written to slip past the list is still caught, and a line break in a one-line field is a 400."""

from corrigo.lifecycle import Status
from tests.integration.intake.conftest import body_of
from tests.integration.screening.conftest import reference_of


def test_a_banned_word_hidden_in_the_name_holds_the_request(post_json, valid_request, drain_intake_queue, table):
    hidden = {**valid_request, "requester_name": "代開\u034f發 票", "requester_organization": "c\u0430sino\ufe0f"}
    reference = reference_of(post_json(hidden))
    drain_intake_queue()

    request = table.get(reference)
    assert request.status is Status.QUARANTINED
    [finding] = [f for f in request.screening["findings"] if f["rule"] == "banned_words"]
    assert "代开发票" in finding["zh"] and "casino" in finding["en"]


def test_an_ordinary_request_is_still_queued(post_json, valid_request, drain_intake_queue, table):
    reference = reference_of(post_json(valid_request))
    drain_intake_queue()
    assert table.get(reference).status is Status.QUEUED


def test_a_header_in_a_name_is_refused_and_nothing_is_stored_or_sent(post_json, valid_request, aws, sent_mail):
    response = post_json({**valid_request, "requester_name": "王喆\r\nBcc: x@y", "language": "en"})

    assert response["statusCode"] == 400
    assert body_of(response)["errors"] == [
        {
            "field": "requester_name",
            "message": "Your name must be a single line, without line breaks or control characters",
        }
    ]
    assert aws.clients("sqs").receive_message(QueueUrl=aws.ref("IntakeQueue")).get("Messages", []) == []
    assert sent_mail() == []
