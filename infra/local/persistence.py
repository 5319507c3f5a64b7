"""The local stack's data across a restart: a snapshot of moto's data, saved at stop and every 30 s.

moto keeps everything in memory. Rather than replaying moto's request recording (a replay re-runs
every request, so a sent email comes back twice, as measured when this was built), the stack saves the
*data* and puts it back into freshly created resources:

- DynamoDB: every item of every table, read from moto in-process, in DynamoDB's typed JSON (binary
  as base64);
- S3: every object of every bucket, its body in `blobs/<sha256>` (content-addressed, so unchanged
  objects are not written again), its content type and metadata in the snapshot;
- SQS: every message not yet deleted, read from moto's queue (so messages a consumer holds but has
  not deleted are kept too) and sent again at restore: they get new message ids, and their receive
  count starts again at 0;
- SES: the sent messages as the outbox shows them, in order, with their ids and outbox timestamps.

Cognito is not saved: the template's user pool is created again at each start, and so is the local
editor account (sign in again after a restart). Resources themselves always come from the template.

`state.json` is written to a temporary file and renamed, and blobs are only deleted once a snapshot
that no longer needs them is in place, so a kill during a save leaves the previous snapshot whole.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from .template import REGION

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
BLOBS_DIR = "blobs"
FORMAT_VERSION = 1
DEFAULT_DIR_NAME = ".local-state"
DEFAULT_SAVE_INTERVAL_SECONDS = 30.0
_OFF_VALUES = {"off", "0", "false", "no"}
# Actions (X-Amz-Target) that change nothing worth saving; anything else marks the snapshot stale.
_READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Scan", "Query", "BatchGet", "Receive", "Head")

AwsClient = Callable[[str], Any]
Serialised = Callable[[], AbstractContextManager[None]]


def state_dir_from_env(root: Path, *, project_template: bool = True) -> Path | None:
    """Where the stack keeps its data, or None when it must not persist.

    LOCAL_STATE=off turns persistence off; LOCAL_STATE_DIR names the directory. Without it the
    project's own stack uses <root>/.local-state, and a stack on another template (a test fixture)
    does not persist, so that it never reads or overwrites the developer's data.
    """
    if os.environ.get("LOCAL_STATE", "").strip().lower() in _OFF_VALUES:
        return None
    configured = os.environ.get("LOCAL_STATE_DIR", "").strip()
    if configured:
        return Path(configured)
    return Path(root) / DEFAULT_DIR_NAME if project_template else None


class Persistence:
    """Save and restore one stack's data under `state_dir` (see the module's docstring)."""

    def __init__(
        self,
        state_dir: Path,
        aws: AwsClient,
        serialised: Serialised,
        outbox_stamps: MutableMapping[str, float],
        *,
        save_interval_seconds: float = DEFAULT_SAVE_INTERVAL_SECONDS,
    ) -> None:
        self.state_dir = Path(state_dir)
        self._aws = aws
        self._serialised = serialised  # holds moto still while its SQS and SES lists are read
        self._stamps = outbox_stamps  # the outbox's first-seen time of each sent message, by id
        self._interval = save_interval_seconds
        self._save_lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._restored = False  # never save over a snapshot that was not read back first
        self._s3_known: dict[tuple[str, str], tuple[str, str]] = {}  # (bucket, key) -> (etag, blob)

    @property
    def state_file(self) -> Path:
        return self.state_dir / STATE_FILE

    # --- restore ---------------------------------------------------------------------------------

    def restore(self) -> dict[str, int]:
        """Put the last snapshot's data into the (just created, empty) resources; counts by kind."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.state_dir.glob(f".{STATE_FILE}.*.tmp"):  # from a save that was killed
            with contextlib.suppress(OSError):
                leftover.unlink()
        counts = {"items": 0, "objects": 0, "messages": 0, "emails": 0}
        snapshot: dict[str, Any] | None = None
        if self.state_file.exists():
            try:
                snapshot = json.loads(self.state_file.read_text(encoding="utf-8"))
                if not isinstance(snapshot, dict) or snapshot.get("version") != FORMAT_VERSION:
                    raise ValueError("unknown snapshot format")
            except (OSError, ValueError) as exc:
                aside = self.state_file.with_name(f"{STATE_FILE}.unreadable-{int(time.time())}")
                log.error(
                    "local state %s cannot be read (%s): moved to %s, starting empty", self.state_file, exc, aside
                )
                with contextlib.suppress(OSError):
                    self.state_file.replace(aside)
                snapshot = None
        if snapshot is not None:
            counts["emails"] = self._restore_ses(snapshot.get("ses") or {})
            counts["items"] = self._restore_dynamodb(snapshot.get("dynamodb") or {})
            counts["objects"] = self._restore_s3(snapshot.get("s3") or {})
            counts["messages"] = self._restore_sqs(snapshot.get("sqs") or {})
            log.info(
                "local state restored from %s: %d items, %d objects, %d queued messages, %d sent emails",
                self.state_dir, counts["items"], counts["objects"], counts["messages"], counts["emails"],
            )  # fmt: skip
        self._restored = True
        self._dirty.clear()
        return counts

    def _restore_dynamodb(self, tables: dict[str, list[dict[str, Any]]]) -> int:
        dynamodb = self._aws("dynamodb")
        existing = set(_paginate(dynamodb, "list_tables", "TableNames"))
        restored = 0
        for table, items in tables.items():
            if table not in existing:
                log.warning(
                    "local state: table %s is no longer in the template; its %d items are dropped", table, len(items)
                )
                continue
            for start in range(0, len(items), 25):
                batch = [{"PutRequest": {"Item": _decode_item(item)}} for item in items[start : start + 25]]
                request: dict[str, Any] = {table: batch}
                while request:
                    request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            restored += len(items)
        return restored

    def _restore_s3(self, buckets: dict[str, list[dict[str, Any]]]) -> int:
        s3 = self._aws("s3")
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        restored = 0
        for bucket, objects in buckets.items():
            if bucket not in existing:
                log.warning(
                    "local state: bucket %s is no longer in the template; %d objects dropped", bucket, len(objects)
                )
                continue
            for entry in objects:
                body = (self.state_dir / BLOBS_DIR / entry["blob"]).read_bytes()
                request: dict[str, Any] = {"Bucket": bucket, "Key": entry["key"], "Body": body}
                if entry.get("content_type"):
                    request["ContentType"] = entry["content_type"]
                if entry.get("metadata"):
                    request["Metadata"] = entry["metadata"]
                etag = s3.put_object(**request)["ETag"]
                self._s3_known[(bucket, entry["key"])] = (etag, entry["blob"])
                restored += 1
        return restored

    def _restore_sqs(self, queues: dict[str, list[dict[str, Any]]]) -> int:
        sqs = self._aws("sqs")
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

    def _restore_ses(self, ses: dict[str, Any]) -> int:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.ses import models as ses_models

        backend = ses_models.ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        messages = []
        for saved in ses.get("messages") or []:
            if saved["type"] not in _SES_TYPES:
                log.warning("local state: unknown sent message type %r dropped", saved["type"])
                continue
            cls: type[Any] = getattr(ses_models, saved["type"])
            message = object.__new__(cls)  # the saved attributes are the whole object
            message.__dict__.update(saved["fields"])
            messages.append(message)
            self._stamps[_ses_message_id(message)] = float(saved["timestamp"])
        with self._serialised():
            backend.sent_messages[:0] = messages  # before anything sent since start (nothing, normally)
            backend.sent_message_count += int(ses.get("sent_count") or 0)
        return len(messages)

    # --- save ------------------------------------------------------------------------------------

    def note_request(self, environ: dict[str, Any]) -> None:
        """moto request listener: a request that may have changed data makes the snapshot stale."""
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        if target:
            if not target.rsplit(".", 1)[-1].startswith(_READ_ONLY_PREFIXES):
                self._dirty.set()
        elif environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS"):
            self._dirty.set()

    def save(self) -> bool:
        """Write a snapshot now (atomically). False when there was nothing restored to save over.

        The snapshot is written entry by entry as it is read: building it whole (every item as a
        dict, encoded again, then one JSON text and its bytes) held four copies of the data at once
        every 30 s, and the allocator kept the pages: a burst's stack grew ~40 KB a request more
        than its data (bench/local_burst.py)."""
        if not self._restored:
            return False
        with self._save_lock:
            started = time.monotonic()
            self._dirty.clear()  # changes made while saving mark it stale again
            blobs_dir = self.state_dir / BLOBS_DIR
            blobs_dir.mkdir(parents=True, exist_ok=True)
            with _atomic_file(self.state_file) as out:
                saved_at = datetime.now(UTC).isoformat(timespec="milliseconds")
                out.write(b'{"version": %d, "saved_at": %s' % (FORMAT_VERSION, _json(saved_at)))
                with self._serialised():  # one consistent moment of DynamoDB, SQS and SES
                    tables = ((name, map(_encode_item, items)) for name, items in _dynamodb_tables())
                    _write_lists(out, "dynamodb", tables)
                    _write_lists(out, "sqs", self._snapshot_sqs().items())
                    _write_ses(out, *self._snapshot_ses())
                s3 = self._snapshot_s3(blobs_dir)  # through moto's API: outside the lock
                out.write(b', "s3": %s}' % _json(s3))
            in_use = {entry["blob"] for objects in s3.values() for entry in objects}
            for path in blobs_dir.iterdir():  # only now: the previous snapshot needed them until here
                if path.name not in in_use:
                    with contextlib.suppress(OSError):
                        path.unlink()
            log.debug("local state saved to %s in %.0f ms", self.state_dir, (time.monotonic() - started) * 1000)
        return True

    @staticmethod
    def _snapshot_dynamodb() -> dict[str, list[dict[str, Any]]]:
        """Every item of every table, as a Scan returns it to boto3 (see `_dynamodb_tables`)."""
        return {name: list(items) for name, items in _dynamodb_tables()}

    def _snapshot_s3(self, blobs_dir: Path) -> dict[str, list[dict[str, Any]]]:
        s3 = self._aws("s3")
        buckets: dict[str, list[dict[str, Any]]] = {}
        known: dict[tuple[str, str], tuple[str, str]] = {}
        for bucket in (entry["Name"] for entry in s3.list_buckets().get("Buckets", [])):
            objects = buckets.setdefault(bucket, [])
            for listed in _paginate(s3, "list_objects_v2", "Contents", Bucket=bucket):
                key, etag = listed["Key"], listed["ETag"]
                head: dict[str, Any]
                previous = self._s3_known.get((bucket, key))
                if previous and previous[0] == etag and (blobs_dir / previous[1]).exists():
                    blob = previous[1]
                    head = s3.head_object(Bucket=bucket, Key=key)
                else:
                    head = s3.get_object(Bucket=bucket, Key=key)
                    body = head["Body"].read()
                    blob = hashlib.sha256(body).hexdigest()
                    if not (blobs_dir / blob).exists():
                        _write_atomically(blobs_dir / blob, body)
                known[(bucket, key)] = (etag, blob)
                entry = {
                    "key": key,
                    "blob": blob,
                    "content_type": head.get("ContentType"),
                    "metadata": head.get("Metadata") or {},
                }
                objects.append(entry)
        self._s3_known = known
        return buckets

    @staticmethod
    def _snapshot_sqs() -> dict[str, Iterator[dict[str, Any]]]:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.sqs.models import sqs_backends

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

    def _snapshot_ses(self) -> tuple[Iterator[dict[str, Any]], int]:
        """The sent messages (read as they are written) and moto's count of sends."""
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        now = time.time()
        messages = (
            {
                "type": type(message).__name__,
                "fields": dict(vars(message)),
                "timestamp": self._stamps.get(_ses_message_id(message), now),
            }
            for message in backend.sent_messages
        )
        return messages, backend.sent_message_count

    # --- the periodic save -----------------------------------------------------------------------

    def start_periodic(self) -> None:
        """Save every `save_interval_seconds` when something changed, so a kill -9 loses at most that."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="local-state-saver", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if self._dirty.is_set():
                try:
                    self.save()
                except Exception:  # the next tick, or the save at stop, tries again
                    log.exception("saving the local state failed")
                    self._dirty.set()

    def stop_periodic(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


_SES_TYPES = {"Message", "RawMessage", "TemplateMessage", "BulkTemplateMessage"}


def _ses_message_id(message: Any) -> str:
    # As outbox.py names them: a bulk templated send has a list of ids.
    return str(getattr(message, "id", None) or getattr(message, "ids", ["?"])[0])


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


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


# DynamoDB's typed JSON, as on the wire: binary values as base64 text.


def _encode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _encode_value(value) for name, value in item.items()}


def _encode_value(value: dict[str, Any]) -> dict[str, Any]:
    kind, data = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(data).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in data]}
    if kind == "M":
        return {"M": _encode_item(data)}
    if kind == "L":
        return {"L": [_encode_value(item) for item in data]}
    return {kind: data}


def _decode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _decode_value(value) for name, value in item.items()}


def _decode_value(value: dict[str, Any]) -> dict[str, Any]:
    kind, data = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64decode(data)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item) for item in data]}
    if kind == "M":
        return {"M": _decode_item(data)}
    if kind == "L":
        return {"L": [_decode_value(item) for item in data]}
    return {kind: data}


def _dynamodb_tables() -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    """Every item of every table as a Scan returns it to boto3 (binary as bytes), read from moto's
    backend in-process, one at a time: a Scan through moto's HTTP API costs ~100x more, serialising
    each page to JSON and parsing it again, and held the worker off moto's lock for minutes under a
    burst. Read under moto's lock."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_to_dict

    for name, table in dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables.items():
        # moto keeps {hash: item}, or {hash: {range: item}} when the table has a sort key.
        by_hash = table.items.values()
        items = (item for by_range in by_hash for item in by_range.values()) if table.range_key_attr else by_hash
        yield name, (dynamo_to_dict(item.attrs) for item in items)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _write_lists(out: BinaryIO, member: str, groups: Iterable[tuple[str, Iterable[Any]]]) -> None:
    """`, "member": {"group": [entry, ...], ...}`, written one entry at a time."""
    out.write(b", %s: {" % _json(member))
    for index, (group, entries) in enumerate(groups):
        out.write(b"%s%s: " % (b", " if index else b"", _json(group)))
        _write_list(out, entries)
    out.write(b"}")


def _write_list(out: BinaryIO, entries: Iterable[Any]) -> None:
    out.write(b"[")
    for index, entry in enumerate(entries):
        if index:
            out.write(b", ")
        out.write(_json(entry))
    out.write(b"]")


def _write_ses(out: BinaryIO, messages: Iterable[dict[str, Any]], sent_count: int) -> None:
    out.write(b', "ses": {"sent_count": %d, "messages": ' % sent_count)
    _write_list(out, messages)
    out.write(b"}")


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file in the same directory, flushed to disk, then renamed over `path`; removed
    instead if writing it fails, so `path` is always a whole file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_atomically(path: Path, data: bytes) -> None:
    with _atomic_file(path) as handle:
        handle.write(data)
