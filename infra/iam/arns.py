"""One botocore call → the IAM requests AWS authorises for it: (action, resource ARN) pairs.

Most calls are one request (`dynamodb:Query` on the table, or on `table/T/index/I` when an index is
named). Some are several: a TransactWriteItems is authorised item by item (Put → PutItem,
Update → UpdateItem, Delete → DeleteItem, ConditionCheck → ConditionCheckItem) on each item's
table; a BatchWriteItem needs `dynamodb:BatchWriteItem` on every table it names; an SES v2
SendEmail needs `ses:SendEmail` on the sending identity and on its configuration set; a CopyObject
reads one object and writes another. The mapping covers the services this project uses; any other
call is checked as `<service>:<Operation>` on "*", which is what AWS asks of actions that take no
resource, and is said (`mapped=False`) so a report can tell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlparse

from infra.local.template import ACCOUNT_ID, PARTITION, REGION

ANY_RESOURCE = "*"

# IAM's action prefix where it is not botocore's service name.
_ACTION_PREFIX = {"sesv2": "ses"}


@dataclass(frozen=True)
class AuthorizationRequest:
    """What IAM is asked: may the caller perform `action` on `resource`?"""

    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}"


@dataclass(frozen=True)
class AwsCall:
    """One SDK call: botocore's service and operation names, and what IAM must allow for it."""

    service: str
    operation: str
    requests: tuple[AuthorizationRequest, ...]
    mapped: bool = True

    @property
    def name(self) -> str:
        """`dynamodb:TransactWriteItems`: how the call counts in reports (one per SDK call)."""
        return f"{self.service}:{self.operation}"


@dataclass(frozen=True)
class Arns:
    """ARNs in one account and region (the local stack's and moto's by default)."""

    region: str = REGION
    account: str = ACCOUNT_ID
    partition: str = PARTITION

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def table(self, name_or_arn: str) -> str:
        return name_or_arn if name_or_arn.startswith("arn:") else self.arn("dynamodb", f"table/{name_or_arn}")

    def queue_from_url(self, url: str) -> str:
        """`https://sqs.<region>.amazonaws.com/<account>/<name>` (or moto's http://host:port/<account>/<name>)."""
        parts = [part for part in urlparse(url).path.split("/") if part]
        if len(parts) < 2:
            raise ValueError(f"not an SQS queue URL: {url!r}")
        account, name = parts[-2], parts[-1]
        return self.arn("sqs", name, account=account)

    def s3(self, bucket: str, key: str | None = None) -> str:
        return f"arn:{self.partition}:s3:::{bucket}" + (f"/{key}" if key is not None else "")

    def event_bus(self, name_or_arn: str) -> str:
        return name_or_arn if name_or_arn.startswith("arn:") else self.arn("events", f"event-bus/{name_or_arn}")

    def ses_identity(self, identity: str) -> str:
        return identity if identity.startswith("arn:") else self.arn("ses", f"identity/{identity}")

    def user_pool(self, pool_id: str) -> str:
        return self.arn("cognito-idp", f"userpool/{pool_id}")


def action_prefix(service: str) -> str:
    return _ACTION_PREFIX.get(service, service)


def describe_call(service: str, operation: str, params: Mapping[str, Any], arns: Arns | None = None) -> AwsCall:
    """The IAM requests behind one call of `service` (botocore's name, e.g. "sesv2") `operation`."""
    arns = arns or Arns()
    mapper = _MAPPERS.get(service)
    requests = mapper(operation, params, arns) if mapper is not None else None
    if requests is None:
        return AwsCall(service, operation, (_request(service, operation, ANY_RESOURCE),), mapped=False)
    # One request per item, repeats kept: IAM asks per item, and the counts feed the cost model.
    return AwsCall(service, operation, tuple(requests))


def _request(service: str, action: str, resource: str) -> AuthorizationRequest:
    return AuthorizationRequest(f"{action_prefix(service)}:{action}", resource)


Mapper = Callable[[str, Mapping[str, Any], Arns], "list[AuthorizationRequest] | None"]

# --- DynamoDB --------------------------------------------------------------------------------

_TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _dynamodb(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    if operation == "TransactWriteItems":
        return [
            _request("dynamodb", _TRANSACT_WRITE_ACTIONS[kind], arns.table(body["TableName"]))
            for item in params.get("TransactItems") or []
            for kind, body in item.items()
            if kind in _TRANSACT_WRITE_ACTIONS
        ]
    if operation == "TransactGetItems":
        return [
            _request("dynamodb", "GetItem", arns.table(item["Get"]["TableName"]))
            for item in params.get("TransactItems") or []
            if "Get" in item
        ]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [_request("dynamodb", operation, arns.table(name)) for name in params.get("RequestItems") or {}]
    table = params.get("TableName") or params.get("TableArn") or params.get("ResourceArn")
    if not table:
        return None
    resource = arns.table(str(table))
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return [_request("dynamodb", operation, resource)]


# --- SQS -------------------------------------------------------------------------------------

# Batch calls are authorised as their single-message action.
_SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def _sqs(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    action = _SQS_BATCH.get(operation, operation)
    if params.get("QueueUrl"):
        return [_request("sqs", action, arns.queue_from_url(str(params["QueueUrl"])))]
    if params.get("QueueName"):
        account = params.get("QueueOwnerAWSAccountId") or None
        return [_request("sqs", action, arns.arn("sqs", str(params["QueueName"]), account=account))]
    return None


# --- S3 --------------------------------------------------------------------------------------

_S3_OBJECT_ACTIONS = {"HeadObject": "GetObject", "GetObject": "GetObject", "DeleteObject": "DeleteObject"}
_S3_VERSIONED = {"GetObject": "GetObjectVersion", "DeleteObject": "DeleteObjectVersion"}
_S3_BUCKET_ACTIONS = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
}


def _s3(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    bucket = params.get("Bucket")
    if not bucket:
        return None
    if operation == "CopyObject":
        return [_request("s3", "GetObject", _copy_source(params["CopySource"], arns)),
                _request("s3", "PutObject", arns.s3(bucket, params["Key"]))]  # fmt: skip
    if operation in _S3_BUCKET_ACTIONS:
        return [_request("s3", _S3_BUCKET_ACTIONS[operation], arns.s3(bucket))]
    if "Key" in params:
        action = _S3_OBJECT_ACTIONS.get(operation, operation)
        if params.get("VersionId") and action in _S3_VERSIONED:
            action = _S3_VERSIONED[action]
        return [_request("s3", action, arns.s3(bucket, str(params["Key"])))]
    return [_request("s3", operation, arns.s3(bucket))]


def _copy_source(source: Any, arns: Arns) -> str:
    if isinstance(source, Mapping):
        return arns.s3(str(source["Bucket"]), str(source["Key"]))
    bucket, _, key = str(source).lstrip("/").partition("/")
    return arns.s3(bucket, key.split("?versionId=")[0])


# --- SNS, EventBridge, Cognito, Comprehend -----------------------------------------------------


def _sns(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    action = "Publish" if operation == "PublishBatch" else operation
    topic = params.get("TopicArn") or params.get("TargetArn")
    return [_request("sns", action, str(topic))] if topic else None


def _events(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    if operation == "PutEvents":
        buses = [entry.get("EventBusName") or "default" for entry in params.get("Entries") or []]
        return [_request("events", "PutEvents", arns.event_bus(str(bus))) for bus in buses]
    bus = params.get("EventBusName")
    return [_request("events", operation, arns.event_bus(str(bus)))] if bus else None


def _cognito_idp(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    pool = params.get("UserPoolId")
    return [_request("cognito-idp", operation, arns.user_pool(str(pool)))] if pool else None


def _comprehend(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    # The Detect* calls take no resource: IAM asks for "*".
    return [_request("comprehend", operation, ANY_RESOURCE)]


# --- SES -------------------------------------------------------------------------------------


def _sesv2(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    if operation not in ("SendEmail", "SendBulkEmail"):
        return None
    identity = params.get("FromEmailAddressIdentityArn") or _sender_domain(
        params.get("FromEmailAddress"), ((params.get("Content") or {}).get("Raw") or {}).get("Data")
    )
    requests = [_request("sesv2", "SendEmail", arns.ses_identity(identity))] if identity else []
    if params.get("ConfigurationSetName"):
        configuration_set = arns.arn("ses", f"configuration-set/{params['ConfigurationSetName']}")
        requests.append(_request("sesv2", "SendEmail", configuration_set))
    return requests or None


def _ses(operation: str, params: Mapping[str, Any], arns: Arns) -> list[AuthorizationRequest] | None:
    if operation not in ("SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"):
        return None
    identity = (
        params.get("SourceArn")
        or params.get("FromArn")
        or _sender_domain(params.get("Source"), (params.get("RawMessage") or {}).get("Data"))
    )
    requests = [_request("ses", operation, arns.ses_identity(identity))] if identity else []
    if params.get("ConfigurationSetName"):
        requests.append(
            _request("ses", operation, arns.arn("ses", f"configuration-set/{params['ConfigurationSetName']}"))
        )
    return requests or None


def _sender_domain(from_address: Any, raw_message: Any) -> str | None:
    """The domain of the From address (the template verifies the domain, so that is the identity)."""
    if not from_address and raw_message:
        data = raw_message if isinstance(raw_message, bytes) else str(raw_message).encode()
        from_address = BytesHeaderParser().parsebytes(data).get("From")
    if not from_address:
        return None
    _, address = parseaddr(str(from_address))
    return address.rpartition("@")[2].lower() or None


_MAPPERS: dict[str, Mapper] = {
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "s3": _s3,
    "sns": _sns,
    "events": _events,
    "cognito-idp": _cognito_idp,
    "comprehend": _comprehend,
    "sesv2": _sesv2,
    "ses": _ses,
}
