"""Rate limits per requester address and per source IP: 429 with Retry-After, counted in the same
transaction as the request (no extra AWS call), with a ceiling and a TTL."""

from tests.integration.intake.conftest import body_of


def test_the_fourth_request_from_one_address_in_an_hour_is_refused(screening_on, post_json, valid_request, aws):
    answers = [post_json(valid_request)["statusCode"] for _ in range(3)]
    refused = post_json(valid_request, {"accept-language": "en"})

    assert answers == [202, 202, 202]
    assert refused["statusCode"] == 429
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 3600
    assert "Too many requests" in body_of(refused)["message"]
    # Nothing was stored for the refused one: three requests, three intake messages.
    sqs = aws.clients("sqs")
    queued = sqs.get_queue_attributes(QueueUrl=aws.ref("IntakeQueue"), AttributeNames=["ApproximateNumberOfMessages"])
    assert queued["Attributes"]["ApproximateNumberOfMessages"] == "3"


def test_one_ip_is_limited_whatever_the_address(screening_on, post_json, valid_request):
    codes = [post_json({**valid_request, "requester_email": f"p{i}@example.com"})["statusCode"] for i in range(6)]
    assert codes == [202] * 5 + [429]


def test_a_retry_with_its_idempotency_key_still_gets_its_first_answer(screening_on, post_json, valid_request):
    first = [post_json(valid_request, {"idempotency-key": f"k{i}"}) for i in range(3)]
    again = post_json(valid_request, {"idempotency-key": "k0"})

    assert again["statusCode"] == 202
    assert body_of(again)["reference"] == body_of(first[0])["reference"]


def test_counters_hold_no_personal_data_and_expire(screening_on, post_json, valid_request, aws):
    post_json(valid_request)
    items = aws.clients("dynamodb").scan(TableName=aws.ref("RateLimitTable"))["Items"]
    counters = [i for i in items if i["pk"]["S"].startswith("RATE#")]
    requests_table = aws.clients("dynamodb").scan(TableName=aws.ref("RequestsTable"))["Items"]
    assert not [i for i in requests_table if i["pk"]["S"].startswith("RATE#")]

    assert len(counters) == 2
    assert all(valid_request["requester_email"] not in str(c) and "203.0.113.7" not in str(c) for c in counters)
    assert all(int(c["expiration"]["N"]) > 0 and c["count"]["N"] == "1" for c in counters)


def test_limits_off_means_no_counters(post_json, valid_request, aws):
    for _ in range(5):
        assert post_json(valid_request)["statusCode"] == 202
    items = aws.clients("dynamodb").scan(TableName=aws.ref("RateLimitTable"))["Items"]
    assert not [i for i in items if i["pk"]["S"].startswith("RATE#")]
