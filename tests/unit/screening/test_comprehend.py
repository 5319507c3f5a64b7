"""The Comprehend classifier against botocore's Stubber (moto does not implement these calls)."""

import boto3
import pytest
from botocore.stub import Stubber

from adapters.comprehend import ComprehendClassifier
from corrigo.errors import ServiceUnavailable


@pytest.fixture
def comprehend():
    client = boto3.client("comprehend", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub


def test_english_text_is_scored_by_detect_toxic_content_and_pii_is_reported(comprehend):
    client, stub = comprehend
    stub.add_response(
        "detect_toxic_content",
        {
            "ResultList": [
                {"Toxicity": 0.91, "Labels": [{"Name": "INSULT", "Score": 0.88}, {"Name": "PROFANITY", "Score": 0.2}]}
            ]
        },
        {"TextSegments": [{"Text": "you idiot, card 4111 1111 1111 1111"}], "LanguageCode": "en"},
    )
    stub.add_response(
        "detect_pii_entities",
        {
            "Entities": [
                {"Type": "CREDIT_DEBIT_NUMBER", "Score": 0.99, "BeginOffset": 15, "EndOffset": 34},
                {"Type": "NAME", "Score": 0.9, "BeginOffset": 0, "EndOffset": 3},
            ]
        },
        {"Text": "you idiot, card 4111 1111 1111 1111", "LanguageCode": "en"},
    )
    result = ComprehendClassifier(client).classify({"reason": "you idiot, card 4111 1111 1111 1111"}, "en")

    assert (result.toxicity, result.toxic_labels, result.pii_types, result.source) == (
        91,
        ("INSULT",),
        ("CREDIT_DEBIT_NUMBER",),
        "comprehend",
    )
    stub.assert_no_pending_responses()


def test_chinese_text_takes_toxicity_from_the_word_list_and_pii_from_comprehend(comprehend):
    client, stub = comprehend
    stub.add_response("detect_pii_entities", {"Entities": []}, {"Text": "傻逼编辑", "LanguageCode": "en"})
    result = ComprehendClassifier(client).classify({"reason": "傻逼编辑"}, "zh")
    assert result.toxicity >= 40 and result.source == "local+comprehend"


def test_throttling_is_a_service_unavailable_for_screening_to_record(comprehend):
    client, stub = comprehend
    stub.add_client_error("detect_toxic_content", "ThrottlingException", http_status_code=400)
    with pytest.raises(ServiceUnavailable):
        ComprehendClassifier(client).classify({"reason": "hello there"}, "en")


def test_a_refusal_falls_back_to_the_local_classifier_and_says_so(comprehend):
    client, stub = comprehend
    stub.add_client_error("detect_toxic_content", "TextSizeLimitExceededException", http_status_code=400)
    result = ComprehendClassifier(client).classify({"reason": "fuck you"}, "en")
    assert result.source == "local" and result.toxicity >= 40 and "Comprehend" in result.error


def test_screening_carries_on_when_the_classifier_is_down(comprehend):
    from corrigo.model import CorrectionRequest
    from corrigo.screening import ScreeningConfig
    from services.screening import Screener

    client, stub = comprehend
    stub.add_client_error("detect_toxic_content", "ServiceUnavailableException", http_status_code=503)
    request = CorrectionRequest(
        reference="CR-2026-ABCDEF",
        status="received",
        fields={"reason": "please fix"},
        language="en",
        channel="api",
        created_at="",
        updated_at="",
        urgency=3,
        first_response_due="",
        decision_due="",
        status_token="t",
    )
    report = Screener(ScreeningConfig(), ComprehendClassifier(client)).screen(request)
    assert report.rules == ("classifier_unavailable",) and report.verdict.value == "pass"
