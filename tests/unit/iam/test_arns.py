"""One botocore call → the (action, resource ARN) requests IAM authorises for it."""

from email.message import EmailMessage

from infra.iam.arns import Arns, AuthorizationRequest, describe_call

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Requests"


def requests(service, operation, params):
    return [(r.action, r.resource) for r in describe_call(service, operation, params).requests]


def test_a_query_on_an_index_names_the_index_arn():
    assert requests("dynamodb", "Query", {"TableName": "Requests", "IndexName": "article"}) == [
        ("dynamodb:Query", f"{TABLE}/index/article")
    ]
    assert requests("dynamodb", "Query", {"TableName": "Requests"}) == [("dynamodb:Query", TABLE)]


def test_a_table_given_by_arn_is_kept():
    assert requests("dynamodb", "GetItem", {"TableName": TABLE, "Key": {}}) == [("dynamodb:GetItem", TABLE)]


def test_a_transaction_is_authorised_item_by_item_on_each_items_table():
    call = describe_call(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "Requests", "Item": {}}},
                {"Update": {"TableName": "RateLimits", "Key": {}}},
                {"ConditionCheck": {"TableName": "Requests", "Key": {}}},
                {"Delete": {"TableName": "Requests", "Key": {}}},
                {"Put": {"TableName": "Requests", "Item": {}}},
            ]
        },
    )
    assert call.name == "dynamodb:TransactWriteItems"
    assert [(r.action, r.resource) for r in call.requests] == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:123456789012:table/RateLimits"),
        ("dynamodb:ConditionCheckItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),
        ("dynamodb:PutItem", TABLE),  # every item is asked for (and counted)
    ]


def test_batch_writes_name_every_table():
    assert requests("dynamodb", "BatchWriteItem", {"RequestItems": {"Requests": [], "RateLimits": []}}) == [
        ("dynamodb:BatchWriteItem", TABLE),
        ("dynamodb:BatchWriteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/RateLimits"),
    ]


def test_an_sqs_queue_url_becomes_its_arn_and_batches_are_their_single_action():
    url = "http://127.0.0.1:4566/123456789012/corrigo-local-IntakeQueue"
    arn = "arn:aws:sqs:us-east-1:123456789012:corrigo-local-IntakeQueue"
    assert requests("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "{}"}) == [("sqs:SendMessage", arn)]
    assert requests("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/corrigo-local-IntakeQueue", "Entries": []}) == [("sqs:SendMessage", arn)]  # fmt: skip


def test_s3_objects_buckets_and_copies():
    assert requests("s3", "GetObject", {"Bucket": "raw", "Key": "inbound/abc", "Range": "bytes=0-9"}) == [
        ("s3:GetObject", "arn:aws:s3:::raw/inbound/abc")
    ]
    assert requests("s3", "HeadObject", {"Bucket": "raw", "Key": "k"}) == [("s3:GetObject", "arn:aws:s3:::raw/k")]
    assert requests("s3", "GetObject", {"Bucket": "raw", "Key": "k", "VersionId": "v1"}) == [
        ("s3:GetObjectVersion", "arn:aws:s3:::raw/k")
    ]
    assert requests("s3", "ListObjectsV2", {"Bucket": "raw", "Prefix": "inbound/"}) == [
        ("s3:ListBucket", "arn:aws:s3:::raw")
    ]
    assert requests("s3", "CopyObject", {"Bucket": "raw", "Key": "attachments/a", "CopySource": "raw/inbound/a"}) == [
        ("s3:GetObject", "arn:aws:s3:::raw/inbound/a"),
        ("s3:PutObject", "arn:aws:s3:::raw/attachments/a"),
    ]


def test_sesv2_send_email_names_the_from_domains_identity_and_the_configuration_set():
    params = {
        "FromEmailAddress": "Corrigo <noreply@News.Example.cn>",
        "Destination": {"ToAddresses": ["a@example.com"]},
        "Content": {"Raw": {"Data": b"..."}},
        "ConfigurationSetName": "corrigo-dev",
    }
    assert requests("sesv2", "SendEmail", params) == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/news.example.cn"),
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:configuration-set/corrigo-dev"),
    ]


def test_without_a_from_address_the_raw_messages_from_header_names_the_identity():
    message = EmailMessage()
    message["From"] = "编辑部 <editors@m.news.example.cn>"
    message["To"] = "a@example.com"
    message.set_content("hello")
    assert requests("sesv2", "SendEmail", {"Content": {"Raw": {"Data": message.as_bytes()}}, "Destination": {}}) == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/m.news.example.cn")
    ]


def test_eventbridge_cognito_sns_and_comprehend():
    assert requests("events", "PutEvents", {"Entries": [{"EventBusName": "outcomes"}, {"Source": "x"}]}) == [
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/outcomes"),
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default"),
    ]
    assert requests("cognito-idp", "AdminGetUser", {"UserPoolId": "us-east-1_abc", "Username": "u"}) == [
        ("cognito-idp:AdminGetUser", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc")
    ]
    topic = "arn:aws:sns:us-east-1:123456789012:alarms"
    assert requests("sns", "Publish", {"TopicArn": topic, "Message": "m"}) == [("sns:Publish", topic)]
    assert requests("comprehend", "DetectToxicContent", {"TextSegments": []}) == [
        ("comprehend:DetectToxicContent", "*")
    ]


def test_an_unmapped_call_is_checked_on_any_resource_and_says_so():
    call = describe_call("kinesis", "PutRecord", {"StreamName": "s"})
    assert call.requests == (AuthorizationRequest("kinesis:PutRecord", "*"),)
    assert not call.mapped


def test_arns_of_another_account_and_region():
    arns = Arns(region="cn-north-1", account="111122223333", partition="aws-cn")
    assert describe_call("dynamodb", "GetItem", {"TableName": "T"}, arns).requests[0].resource == (
        "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/T"
    )
