"""Create the template's AWS resources in moto, and tell the resolver what each one is called.

Each supported type has one small creator that takes the resolved Properties and returns what
CloudFormation would answer: the `Ref` value and the `GetAtt` attributes. Types that have no
meaning locally (alarms, the dashboard, keys, resource policies) are listed in NO_LOCAL_MEANING with
the reason, and skipped with one debug line; they still get a placeholder name so that a stray `Ref`
to them does not stop the stack. A type in neither list is skipped with a warning: someone has to
decide which list it belongs to.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from .template import ACCOUNT_ID, REGION, IntrinsicResolver, creation_order

log = logging.getLogger(__name__)

PHYSICAL_NAME_PREFIX = "corrigo-local-"
# The parameter that names the From address of outgoing mail: verified too, so that sending works
# even when an override points it at a domain other than the template's EmailIdentity.
SENDER_ADDRESS_PARAMETER = "SenderAddress"


@dataclass
class Provisioned:
    """What CloudFormation would say about a created resource."""

    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)


class AwsClients:
    """boto3 clients for the local endpoint, made once (client creation is slow and not thread-safe)."""

    def __init__(self, endpoint_url: str) -> None:
        # moto accepts any credentials; these never leave the machine.
        self._session = boto3.session.Session(
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106
            region_name=REGION,
        )
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint_url, config=Config(retries={"max_attempts": 2})
            )
        return self._clients[service]


def physical_name(logical_id: str, properties: Mapping[str, Any], name_property: str) -> str:
    return str(properties.get(name_property) or f"{PHYSICAL_NAME_PREFIX}{logical_id}")


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"


# ---------------------------------------------------------------------------------------------
# One creator per type
# ---------------------------------------------------------------------------------------------

Creator = Callable[[AwsClients, str, dict[str, Any]], Provisioned]


def create_table(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    name = physical_name(logical_id, props, "TableName")
    billing_mode = props.get("BillingMode", "PROVISIONED")
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": billing_mode,
    }
    default_throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = props.get("ProvisionedThroughput", default_throughput)
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = [dict(index) for index in props.get(index_kind) or []]
        for index in indexes:
            if billing_mode == "PAY_PER_REQUEST":
                index.pop("ProvisionedThroughput", None)
            elif index_kind == "GlobalSecondaryIndexes":
                index.setdefault("ProvisionedThroughput", default_throughput)
        if indexes:
            request[index_kind] = indexes
    if props.get("StreamSpecification"):
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    dynamodb = aws("dynamodb")
    description = dynamodb.create_table(**request)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    attributes = {"Arn": description["TableArn"]}
    if description.get("LatestStreamArn"):
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Provisioned(name, attributes)


_QUEUE_ATTRIBUTES = (
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
)  # fmt: skip


def create_queue(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    fifo = str(props.get("FifoQueue", "")).lower() == "true"
    name = physical_name(logical_id, props, "QueueName")
    if fifo and not name.endswith(".fifo"):  # CloudFormation adds the suffix to generated FIFO names
        name += ".fifo"
    attributes = {key: _as_attribute(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    for policy in ("RedrivePolicy", "RedriveAllowPolicy"):
        if policy in props:
            value = props[policy]
            attributes[policy] = value if isinstance(value, str) else json.dumps(value)
    url = aws("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = _arn("sqs", name)
    return Provisioned(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})


def _as_attribute(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def create_bucket(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    # Bucket names are lower case only; CloudFormation lower-cases the names it generates too.
    name = physical_name(logical_id, props, "BucketName").lower()
    aws("s3").create_bucket(Bucket=name)  # us-east-1 takes no LocationConstraint
    return Provisioned(
        name,
        {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
        },
    )


def create_topic(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    name = physical_name(logical_id, props, "TopicName")
    attributes = {"FifoTopic": "true"} if str(props.get("FifoTopic", "")).lower() == "true" else {}
    if attributes and not name.endswith(".fifo"):
        name += ".fifo"
    sns = aws("sns")
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in props.get("Subscription") or []:
        _subscribe(aws, logical_id, arn, subscription)
    return Provisioned(arn, {"TopicArn": arn, "TopicName": name})


def create_subscription(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    arn = _subscribe(aws, logical_id, props["TopicArn"], props)
    return Provisioned(arn or f"{props['TopicArn']}:{PHYSICAL_NAME_PREFIX}{logical_id}", {})


def _subscribe(aws: AwsClients, logical_id: str, topic_arn: str, props: Mapping[str, Any]) -> str | None:
    protocol = props["Protocol"]
    if protocol not in ("sqs", "lambda"):
        # Nobody reads email or SMS deliveries locally: keep moto from pretending to send them.
        log.debug("%s: %s subscription skipped locally", logical_id, protocol)
        return None
    attributes: dict[str, str] = {}
    for key in ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy"):
        if key in props:
            value = props[key]
            attributes[key] = _as_attribute(value) if not isinstance(value, dict) else json.dumps(value)
    response = aws("sns").subscribe(
        TopicArn=topic_arn, Protocol=protocol, Endpoint=props["Endpoint"], Attributes=attributes
    )
    return str(response["SubscriptionArn"])


def create_configuration_set(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    name = physical_name(logical_id, props, "Name")
    aws("sesv2").create_configuration_set(ConfigurationSetName=name)
    return Provisioned(name, {})


def create_email_identity(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    identity = props["EmailIdentity"]
    request: dict[str, Any] = {"EmailIdentity": identity}
    configuration_set = (props.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    aws("sesv2").create_email_identity(**request)
    verify_sender(aws, identity)
    return Provisioned(identity, {})


def verify_sender(aws: AwsClients, identity: str) -> None:
    """Mark an address or a domain verified: moto rejects mail from unverified senders, as SES does."""
    if "@" in identity:
        aws("ses").verify_email_identity(EmailAddress=identity)
    else:
        aws("ses").verify_domain_identity(Domain=identity)


def create_receipt_rule_set(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    # Stored only: moto never runs receipt rules. Mail arrives locally through the SMTP service.
    name = physical_name(logical_id, props, "RuleSetName")
    aws("ses").create_receipt_rule_set(RuleSetName=name)
    return Provisioned(name, {})


def create_receipt_rule(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    rule = dict(props["Rule"])
    rule.setdefault("Name", f"{PHYSICAL_NAME_PREFIX}{logical_id}")
    request: dict[str, Any] = {"RuleSetName": props["RuleSetName"], "Rule": rule}
    if props.get("After"):
        request["After"] = props["After"]
    aws("ses").create_receipt_rule(**request)
    return Provisioned(rule["Name"], {})


def create_event_bus(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    name = physical_name(logical_id, props, "Name")
    arn = aws("events").create_event_bus(Name=name)["EventBusArn"]
    return Provisioned(name, {"Arn": arn, "Name": name})


def create_user_pool(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    request: dict[str, Any] = {"PoolName": physical_name(logical_id, props, "UserPoolName")}
    passthrough = (
        "Policies", "AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes", "Schema",
        "AdminCreateUserConfig", "AccountRecoverySetting", "UsernameConfiguration", "MfaConfiguration",
    )  # fmt: skip
    request.update({key: props[key] for key in passthrough if key in props})
    pool = aws("cognito-idp").create_user_pool(**request)["UserPool"]
    pool_id = pool["Id"]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    return Provisioned(
        pool_id,
        {"Arn": pool["Arn"], "ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": pool_id},
    )


def create_user_pool_client(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    request: dict[str, Any] = {
        "UserPoolId": props["UserPoolId"],
        "ClientName": physical_name(logical_id, props, "ClientName"),
    }
    passthrough = (
        "GenerateSecret", "ExplicitAuthFlows", "AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
        "LogoutURLs", "SupportedIdentityProviders", "AllowedOAuthFlowsUserPoolClient", "AccessTokenValidity",
        "IdTokenValidity", "RefreshTokenValidity", "TokenValidityUnits", "ReadAttributes", "WriteAttributes",
        "PreventUserExistenceErrors",
    )  # fmt: skip
    request.update({key: props[key] for key in passthrough if key in props})
    client = aws("cognito-idp").create_user_pool_client(**request)["UserPoolClient"]
    return Provisioned(client["ClientId"], {"ClientSecret": client.get("ClientSecret", "")})


def create_user_pool_group(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    name = physical_name(logical_id, props, "GroupName")
    request = {"UserPoolId": props["UserPoolId"], "GroupName": name}
    request.update({key: props[key] for key in ("Description", "Precedence") if key in props})
    aws("cognito-idp").create_group(**request)
    return Provisioned(name, {})


def declare_function(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    # Nothing to create: the function runs in this process (see lambda_runtime.py).
    name = physical_name(logical_id, props, "FunctionName")
    return Provisioned(name, {"Arn": _arn("lambda", f"function:{name}")})


def declare_http_api(aws: AwsClients, logical_id: str, props: dict[str, Any]) -> Provisioned:
    # Nothing to create: gateway.py serves every HttpApi of the template on one port.
    api_id = re.sub(r"[^a-z0-9]", "", logical_id.lower())[:10] or "local"
    return Provisioned(api_id, {"ApiEndpoint": f"https://{api_id}.execute-api.{REGION}.amazonaws.com"})


CREATORS: dict[str, Creator] = {
    "AWS::DynamoDB::Table": create_table,
    "AWS::SQS::Queue": create_queue,
    "AWS::S3::Bucket": create_bucket,
    "AWS::SNS::Topic": create_topic,
    "AWS::SNS::Subscription": create_subscription,
    "AWS::SES::ConfigurationSet": create_configuration_set,
    "AWS::SES::EmailIdentity": create_email_identity,
    "AWS::SES::ReceiptRuleSet": create_receipt_rule_set,
    "AWS::SES::ReceiptRule": create_receipt_rule,
    "AWS::Events::EventBus": create_event_bus,
    "AWS::Cognito::UserPool": create_user_pool,
    "AWS::Cognito::UserPoolClient": create_user_pool_client,
    "AWS::Cognito::UserPoolGroup": create_user_pool_group,
    "AWS::Serverless::Function": declare_function,
    "AWS::Serverless::HttpApi": declare_http_api,
}

# Types skipped on purpose, each with the reason.
NO_LOCAL_MEANING: dict[str, str] = {
    "AWS::CloudWatch::Alarm": "nothing publishes metrics locally, so an alarm could never change state",
    "AWS::CloudWatch::Dashboard": "a page of the CloudWatch console; there are no metrics locally to show",
    "AWS::KMS::Key": "local topics and queues are not encrypted, so nothing asks for a key",
    # Creating them was measured: 70-190 ms per stack (mostly the logs client), paid by every test
    # that builds the template in moto, for groups nobody writes to.
    "AWS::Logs::LogGroup": "handlers log to the console locally; nothing writes to CloudWatch Logs",
    "AWS::SNS::TopicPolicy": "moto does not enforce resource policies; SES and CloudWatch do not publish locally",
    "AWS::SQS::QueuePolicy": "moto does not enforce resource policies; local topics deliver to queues anyway",
    "AWS::S3::BucketPolicy": "moto does not enforce resource policies; SES does not write to buckets locally",
}

# Properties of these types are never read locally, so they are not even resolved.
_UNRESOLVED_TYPES = {"AWS::Serverless::Function", "AWS::Serverless::HttpApi"}


def provision(aws: AwsClients, template: Mapping[str, Any], resolver: IntrinsicResolver) -> dict[str, Provisioned]:
    """Create every resource of the template in dependency order; returns them by logical id."""
    resources = template.get("Resources") or {}
    created: dict[str, Provisioned] = {}
    for logical_id in creation_order(resources):
        resource = resources[logical_id]
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            log.debug("%s: condition %s is false, not created", logical_id, condition)
            continue
        resource_type = resource["Type"]
        creator = CREATORS.get(resource_type)
        if creator is None:
            if resource_type in NO_LOCAL_MEANING:
                log.debug("%s: %s skipped: %s", logical_id, resource_type, NO_LOCAL_MEANING[resource_type])
            else:
                log.warning(
                    "%s: %s is not created locally; add a creator or a reason to NO_LOCAL_MEANING (infra/local/resources.py)",
                    logical_id,
                    resource_type,
                )
            placeholder = f"{PHYSICAL_NAME_PREFIX}{logical_id}"
            resolver.register(logical_id, placeholder, {})
            continue
        raw_properties = resource.get("Properties") or {}
        properties = raw_properties if resource_type in _UNRESOLVED_TYPES else resolver.resolve(raw_properties)
        result = creator(aws, logical_id, properties)
        resolver.register(logical_id, result.ref, result.attributes)
        created[logical_id] = result
        log.debug("%s: %s created as %s", logical_id, resource_type, result.ref)

    sender = resolver.parameters.get(SENDER_ADDRESS_PARAMETER)
    if isinstance(sender, str) and "@" in sender:
        verify_sender(aws, sender)
    return created
