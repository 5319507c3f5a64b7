"""The template's resources exist in moto, named and wired as CloudFormation would."""

import json
import os
import uuid


def test_table_has_its_keys_gsi_and_ttl(stack):
    dynamodb = stack.aws("dynamodb")
    table = dynamodb.describe_table(TableName=stack.resource("Table"))["Table"]

    assert stack.resource("Table") == "corrigo-local-Table"
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by_status"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["status", "pk"]
    ttl = dynamodb.describe_time_to_live(TableName=stack.resource("Table"))["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_queue_redrives_to_its_dead_letter_queue(stack):
    sqs = stack.aws("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=stack.resource("WorkQueue"), AttributeNames=["All"])["Attributes"]

    assert stack.resource("WorkQueue").endswith("/123456789012/corrigo-local-WorkQueue")
    assert attributes["VisibilityTimeout"] == "30"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": stack.resource_attribute("WorkDeadLetterQueue", "Arn"),
        "maxReceiveCount": 2,
    }


def test_mail_topics_bus_bucket_and_user_pool_exist(stack):
    assert stack.aws("sesv2").get_configuration_set(ConfigurationSetName="lstest-mail")["ConfigurationSetName"]
    identities = stack.aws("ses").list_identities()["Identities"]
    assert {"news.test", "noreply@news.test"} <= set(identities)
    assert stack.aws("s3").head_bucket(Bucket=stack.resource("RawMailBucket"))
    assert stack.resource("RawMailBucket") == "corrigo-local-rawmailbucket"  # bucket names are lower case
    assert stack.aws("events").describe_event_bus(Name="lstest-bus")["Arn"] == stack.resource_attribute("Bus", "Arn")
    pool_id = stack.resource("UserPool")
    groups = stack.aws("cognito-idp").list_groups(UserPoolId=pool_id)["Groups"]
    assert [group["GroupName"] for group in groups] == ["editors"]
    assert (
        stack.resource_attribute("UserPool", "ProviderURL") == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    )


def test_a_raw_sns_subscription_delivers_to_its_queue(stack):
    message = json.dumps({"outcome": "corrected", "id": uuid.uuid4().hex})
    stack.aws("sns").publish(TopicArn=stack.resource("OutcomeTopic"), Message=message)

    received = stack.aws("sqs").receive_message(QueueUrl=stack.resource("TopicCopyQueue"), MaxNumberOfMessages=10)
    assert message in [m["Body"] for m in received["Messages"]]  # the body as published: raw delivery


def test_resources_without_a_local_meaning_are_skipped_and_conditions_honoured(stack):
    assert "ErrorsAlarm" not in stack.resources
    assert stack.resource("ErrorsAlarm") == "corrigo-local-ErrorsAlarm"  # a placeholder keeps Refs resolvable
    subscriptions = stack.aws("sns").list_subscriptions_by_topic(TopicArn=stack.resource("OutcomeTopic"))
    assert all(s["Protocol"] == "sqs" for s in subscriptions["Subscriptions"])  # HasAlertEmail is false


def test_functions_get_globals_merged_with_their_own_environment(stack):
    web = stack.function_env["WebFunction"]
    worker = stack.function_env["WorkerFunction"]

    assert web["TABLE_NAME"] == worker["TABLE_NAME"] == "corrigo-local-Table"
    assert web["WORK_QUEUE_URL"] == stack.resource("WorkQueue")
    assert web["FIRST_DOMAIN"] == "news.test"
    assert web["CONFIG_SET"] == "lstest-mail"
    assert "CONFIG_SET" not in worker
    assert web["PUBLIC_BASE_URL"] == stack.http_url  # the stack points PublicBaseUrl at itself


def test_the_endpoint_is_the_one_handlers_are_told_about(stack):
    assert os.environ["AWS_ENDPOINT_URL"] == stack.aws_url
    assert stack.aws_port != 4566  # port 0 was asked for: a free port was picked and reported
