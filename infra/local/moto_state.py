"""moto's data read in-process, for the local stack's snapshot (persistence.py).

Read under moto's lock (`SerialisedWsgiApp.serialised`): through moto's HTTP API the same reads cost
~100x more, serialising each page to JSON and parsing it again, and held the snapshot off moto's
lock for minutes under a burst.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import dynamo_to_dict
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends

from .dynamodb_changes import Key
from .template import REGION

SES_TYPES = {"Message", "RawMessage", "TemplateMessage", "BulkTemplateMessage"}


def dynamodb_tables() -> dict[str, Table]:
    return dict(dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables)


def table_items(table: Table) -> Iterator[Item]:
    # moto keeps {hash: item}, or {hash: {range: item}} when the table has a sort key.
    by_hash: Any = table.items.values()
    return (item for by_range in by_hash for item in by_range.values()) if table.range_key_attr else iter(by_hash)


def stored_item(table: Table, key: Key) -> Item | None:
    """The item under `key`, without adding an empty partition (`items` is a defaultdict)."""
    hash_key, range_key = key
    partition: Any = table.items.get(hash_key)
    if partition is None or range_key is None:
        return cast(Item | None, partition)
    return cast(Item | None, partition.get(range_key))


def as_scanned(item: Item) -> dict[str, Any]:
    """An item as a Scan returns it to boto3 (binary as bytes)."""
    return cast(dict[str, Any], dynamo_to_dict(item.attrs))


def key_attributes(table: Table, key: Key) -> dict[str, Any]:
    hash_key, range_key = key
    attributes = {table.hash_key_attr: hash_key}
    if table.range_key_attr and range_key is not None:
        attributes[table.range_key_attr] = range_key
    return cast(dict[str, Any], dynamo_to_dict(attributes))


def key_names(table_name: str) -> tuple[str, str | None] | None:
    table = dynamodb_tables().get(table_name)
    return None if table is None else (table.hash_key_attr, table.range_key_attr)


def queued_messages() -> dict[str, Iterator[dict[str, Any]]]:
    """Every message not yet deleted, by queue, oldest first (those a consumer holds too)."""
    return {
        name: (
            {
                "id": message.id,
                "body": message.body,
                "attributes": dict(message.message_attributes),
                "group_id": message.group_id,
                "sent_timestamp": message.sent_timestamp,
            }
            for message in sorted(queue._messages, key=lambda m: m.sent_timestamp or 0)
        )
        for name, queue in sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues.items()
    }


def ses_backend() -> Any:
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION]


def ses_message_id(message: Any) -> str:
    # The id the outbox view and the snapshot know a sent email by: a bulk templated send has a list of ids.
    return str(getattr(message, "id", None) or getattr(message, "ids", ["?"])[0])
