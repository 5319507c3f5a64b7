"""Putting a saved state back into the stack's freshly created resources (persistence.py restores
with these; the files are read by snapshot_files.py).

Everything goes through moto's API as a client would send it, except the sent emails, which SES has
no API to create: they are put into moto's list in-process, with the ids and times they had."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from . import moto_state
from .snapshot_files import decode_item, json_bytes

log = logging.getLogger(__name__)


def replay(
    changes: Iterable[tuple[str, str | None, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The log read into the items each table holds at its end, and the sent emails in order.

    Read whole before anything is written, so that an unreadable log is found before the stack
    holds half of it."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, tuple[str, str | None] | None] = {}
    emails: list[dict[str, Any]] = []
    for kind, table, payload in changes:
        if kind == "sent":
            emails.append(payload)
            continue
        assert table is not None
        items = tables.setdefault(table, {})
        if kind == "clear":
            items.clear()
            continue
        if table not in names:
            names[table] = moto_state.key_names(table)
        key_names = names[table]
        # A table the template no longer has keeps every entry: it is only counted, then dropped.
        key = json_bytes(payload) if key_names is None else json_bytes([payload.get(n) for n in key_names])
        if kind == "put":
            items[key.decode()] = payload
        elif kind == "delete":
            items.pop(key.decode(), None)
    return {name: list(items.values()) for name, items in tables.items()}, emails


def restore_dynamodb(dynamodb: Any, tables: dict[str, list[dict[str, Any]]]) -> int:
    existing = set(paginate(dynamodb, "list_tables", "TableNames"))
    restored = 0
    for table, items in tables.items():
        if table not in existing:
            log.warning(
                "local state: table %s is no longer in the template; its %d items are dropped", table, len(items)
            )
            continue
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": decode_item(item)}} for item in items[start : start + 25]]
            request: dict[str, Any] = {table: batch}
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        restored += len(items)
    return restored


def restore_s3(
    s3: Any,
    buckets: dict[str, list[dict[str, Any]]],
    blobs_dir: Path,
    known: MutableMapping[tuple[str, str], dict[str, Any]],
) -> int:
    """Each object put back; `known` gets its entry with the ETag it has now (see Persistence)."""
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    restored = 0
    for bucket, objects in buckets.items():
        if bucket not in existing:
            log.warning("local state: bucket %s is no longer in the template; %d objects dropped", bucket, len(objects))
            continue
        for entry in objects:
            body = (blobs_dir / entry["blob"]).read_bytes()
            request: dict[str, Any] = {"Bucket": bucket, "Key": entry["key"], "Body": body}
            if entry.get("content_type"):
                request["ContentType"] = entry["content_type"]
            if entry.get("metadata"):
                request["Metadata"] = entry["metadata"]
            etag = s3.put_object(**request)["ETag"]
            known[(bucket, entry["key"])] = {**entry, "etag": etag}
            restored += 1
    return restored


def restore_sqs(sqs: Any, queues: dict[str, list[dict[str, Any]]]) -> int:
    restored = 0
    for name, messages in queues.items():
        if not messages:
            continue
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            if name.endswith(".fifo"):
                log.warning(
                    "local state: queue %s is no longer in the template; %d messages dropped", name, len(messages)
                )
                continue
            # e.g. the private queue standing in for an SNS subscription, created later at start
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
        for message in messages:
            request: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["body"]}
            attributes = _message_attributes(message.get("attributes") or {})
            if attributes:
                request["MessageAttributes"] = attributes
            if name.endswith(".fifo"):
                request["MessageGroupId"] = message.get("group_id") or "restored"
                request["MessageDeduplicationId"] = message["id"]  # unique: identical bodies stay two
            else:
                request["DelaySeconds"] = 0
            sqs.send_message(**request)
            restored += 1
    return restored


def restore_ses(saved_messages: list[dict[str, Any]], sent_count: int, stamps: MutableMapping[str, float]) -> int:
    """The sent emails back in moto's list, before anything sent since start; under moto's lock."""
    from moto.ses import models as ses_models

    messages = []
    for saved in saved_messages:
        if saved["type"] not in moto_state.SES_TYPES:
            log.warning("local state: unknown sent message type %r dropped", saved["type"])
            continue
        cls: type[Any] = getattr(ses_models, saved["type"])
        message = object.__new__(cls)  # the saved attributes are the whole object
        message.__dict__.update(saved["fields"])
        messages.append(message)
        stamps[moto_state.ses_message_id(message)] = float(saved["timestamp"])
    backend = moto_state.ses_backend()
    backend.sent_messages[:0] = messages  # before anything sent since start (nothing, normally)
    backend.sent_message_count += sent_count
    return len(messages)


def _message_attributes(saved: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for name, value in saved.items():
        attribute: dict[str, Any] = {"DataType": value["DataType"]}
        if value.get("StringValue") is not None:
            attribute["StringValue"] = value["StringValue"]
        elif value.get("BinaryValue") is not None:
            binary = value["BinaryValue"]
            attribute["BinaryValue"] = base64.b64decode(binary) if isinstance(binary, str) else binary
        attributes[name] = attribute
    return attributes


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])
