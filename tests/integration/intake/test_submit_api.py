"""POST /requests and the status page, through the real handler, on moto built from template.yaml."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.integration.intake.conftest import body_of


def _stored_items(aws, reference):
    return aws.clients("dynamodb").query(
        TableName=aws.ref("RequestsTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"REQ#{reference}"}},
    )["Items"]


def test_a_valid_json_request_is_stored_queued_and_answered_with_a_reference(aws, post_json, valid_request):
    response = post_json(valid_request)

    assert response["statusCode"] == 202
    answer = body_of(response)
    assert answer["status"] == "received"
    assert answer["reference"].startswith("CR-")
    assert answer["status_url"].startswith(f"/requests/{answer['reference']}?token=")
    items = _stored_items(aws, answer["reference"])
    assert {i["sk"]["S"].split("#")[0] for i in items} == {"REQUEST", "EVENT"}
    queued = aws.clients("sqs").receive_message(QueueUrl=aws.ref("IntakeQueue"))["Messages"]
    assert json.loads(queued[0]["Body"]) == {"reference": answer["reference"]}


def test_every_problem_is_listed_in_the_requests_language(post_json, valid_request):
    bad = dict(valid_request, article_url="https://elsewhere.example.com/x", requester_email="no", language="en")
    del bad["reason"]
    response = post_json(bad)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"] == [
        {
            "field": "article_url",
            "message": "Article URL must be an article on our site (news.example.cn, m.news.example.cn)",
        },
        {"field": "reason", "message": "Reason and evidence is required"},
        {"field": "requester_email", "message": "Email must be a valid email address"},
    ]


def test_chinese_is_the_default_language_of_errors(post_json):
    response = post_json({"request_type": "correction"})
    errors = body_of(response)["errors"]
    assert len(errors) == 12
    assert errors[0] == {"field": "article_url", "message": "稿件链接：此项必填"}


def test_a_body_that_is_not_json_gets_a_400_not_a_stack_trace(api):
    response = api(
        "POST", "/requests", body="{not json", headers={"content-type": "application/json", "accept-language": "en"}
    )
    assert response["statusCode"] == 400
    assert body_of(response)["errors"] == [{"field": "", "message": "the request body must be a JSON object"}]


def test_over_64_kib_is_413_and_another_content_type_415(api, post_json, valid_request):
    huge = post_json(dict(valid_request, reason="x" * (64 * 1024)))
    assert huge["statusCode"] == 413
    assert "64 KB" in body_of(huge)["message"]
    wrong = api("POST", "/requests", body="hello", headers={"content-type": "text/plain"})
    assert wrong["statusCode"] == 415


def test_an_idempotency_key_retry_gets_the_same_reference_one_record_one_email(
    aws, post_json, valid_request, drain_intake_queue, sent_mail
):
    first = body_of(post_json(valid_request, {"Idempotency-Key": "retry-1"}))
    drain_intake_queue()
    again = body_of(post_json(valid_request, {"Idempotency-Key": "retry-1"}))
    drain_intake_queue()

    assert again["reference"] == first["reference"]
    assert again["status_url"] == first["status_url"]
    assert again["status"] == "queued"
    requests = aws.clients("dynamodb").scan(
        TableName=aws.ref("RequestsTable"),
        FilterExpression="sk = :r",
        ExpressionAttributeValues={":r": {"S": "REQUEST"}},
    )
    assert requests["Count"] == 1
    assert len(sent_mail()) == 1


def test_the_same_key_with_a_different_request_is_refused(post_json, valid_request):
    post_json(valid_request, {"Idempotency-Key": "k"})
    response = post_json(dict(valid_request, article_title="another"), {"Idempotency-Key": "k"})
    assert response["statusCode"] == 422


def test_a_browser_form_post_is_redirected_to_its_status_page(api, valid_request):
    form = {**valid_request, "declaration": "true", "language": "en"}
    response = api(
        "POST", "/requests", body=urlencode(form), headers={"content-type": "application/x-www-form-urlencoded"}
    )

    assert response["statusCode"] == 303
    location = response["headers"]["Location"]
    reference = urlsplit(location).path.rsplit("/", 1)[1]
    token = parse_qs(urlsplit(location).query)["token"][0]
    page = api("GET", f"/requests/{reference}", query={"token": token, "lang": "en"}, headers={"accept": "text/html"})
    assert page["statusCode"] == 200
    assert reference in page["body"] and "Request submitted" in page["body"]


def test_a_failed_form_post_returns_the_form_with_values_kept_and_errors_beside_fields(api, valid_request):
    form = {
        **valid_request,
        "declaration": "true",
        "requester_email": "not-an-address",
        "article_title": "<script>alert(1)</script>",
    }
    response = api(
        "POST", "/requests", body=urlencode(form), headers={"content-type": "application/x-www-form-urlencoded"}
    )

    assert response["statusCode"] == 400
    html = response["body"]
    assert 'id="requester_email-error"' in html and "请填写有效的电子邮箱地址" in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert 'value="not-an-address"' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_status_is_json_or_html_by_accept(api, post_json, valid_request):
    answer = body_of(post_json(valid_request))
    reference, token = answer["reference"], answer["status_url"].split("token=")[1]

    as_json = api("GET", f"/requests/{reference}", query={"token": token})
    document = body_of(as_json)
    assert document["reference"] == reference and document["status"] == "received"
    assert [h["action"] for h in document["history"]] == ["submit"]
    assert "requester_email" not in json.dumps(document)
    as_html = api(
        "GET", f"/requests/{reference}", query={"token": token}, headers={"accept": "text/html,application/xhtml+xml"}
    )
    assert as_html["headers"]["Content-Type"].startswith("text/html")
    assert as_html["headers"]["Cache-Control"] == "no-store"


def test_a_wrong_token_and_an_unknown_reference_get_the_same_404(api, post_json, valid_request):
    reference = body_of(post_json(valid_request))["reference"]
    wrong_token = api("GET", f"/requests/{reference}", query={"token": "guess"})
    unknown = api("GET", "/requests/CR-2026-ZZZZZZ", query={"token": "guess"})
    no_token = api("GET", f"/requests/{reference}")

    assert wrong_token["statusCode"] == unknown["statusCode"] == no_token["statusCode"] == 404
    assert wrong_token["body"] == unknown["body"] == no_token["body"]


def test_the_form_page_is_chinese_by_default_and_english_on_request(api):
    chinese = api("GET", "/")
    english = api("GET", "/", query={"lang": "en"})
    assert '<html lang="zh-CN">' in chinese["body"] and "新闻稿件修改申请" in chinese["body"]
    assert '<html lang="en">' in english["body"] and "Request a change to an article" in english["body"]
