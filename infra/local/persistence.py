"""The local stack's data across a restart: moto's data, saved at stop and every 30 s, put back at start.

moto keeps everything in memory. Rather than replaying moto's request recording (a replay re-runs
every request, so a sent email comes back twice, as measured when this was built), the stack saves the
*data* and puts it back into freshly created resources (the files: snapshot_files.py):

- DynamoDB: items in DynamoDB's typed JSON (binary as base64), in a change log that starts with every
  item there is and then takes, every 30 s, only the items written since: dynamodb_changes.py notes
  their keys as moto writes them. A save holds moto still in proportion to what changed, not to the
  data: reading every item each time paused a burst's stack for seconds, long enough for handlers to
  pass their Timeout and for mail to go out twice (bench/local_burst.py). The log starts again from
  the whole data at each start;
- S3: every object of every bucket, its body in `blobs/<sha256>` (content-addressed, so unchanged
  objects are not written again), its content type and metadata in the state (read again only for an
  object whose ETag changed);
- SQS: every message not yet deleted, read from moto's queue (so messages a consumer holds but has
  not deleted are kept too) and sent again at restore: they get new message ids, and their receive
  count starts again at 0;
- SES: the sent messages as the outbox shows them, in order, with their ids and outbox timestamps,
  appended to the change log as they are sent.

Cognito is not saved: the template's user pool is created again at each start, and so is the local
editor account (sign in again after a restart). Resources themselves always come from the template.

A kill at any moment leaves the last whole save readable: `state.json` is replaced by renaming, the
log is flushed to disk before the state that counts its bytes, and blobs are only deleted once a
state that no longer needs them is in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, MutableMapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from . import dynamodb_changes, moto_state, state_restore
from .dynamodb_changes import Key
from .snapshot_files import (
    BLOBS_DIR,
    FORMAT_VERSION,
    LOG_PREFIX,
    STATE_FILE,
    ChangeLog,
    SavedState,
    atomic_file,
    json_bytes,
    read_state,
    remove_other_logs,
    write_atomically,
)

log = logging.getLogger(__name__)

DEFAULT_DIR_NAME = ".local-state"
DEFAULT_SAVE_INTERVAL_SECONDS = 30.0
HELD_LONG_SECONDS = 1.0
ITEMS_PER_HOLD = 1000  # ~40 ms under the lock (39 µs an item: request-shaped and search-token items, 1:9)
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
        self._serialised = serialised  # holds moto still while its data is read
        self._stamps = outbox_stamps  # the outbox's first-seen time of each sent message, by id
        self._interval = save_interval_seconds
        self._save_lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._restored = False  # never save over a snapshot that was not read back first
        self._changes: dynamodb_changes.ChangedItems | None = None
        self._log: ChangeLog | None = None  # None: the next save starts a new log from the whole data
        self._tables_seen: dict[str, Any] = {}  # the table objects the log has, by name
        self._emails_logged = 0  # how many of SES's sent messages the log has
        self._s3_known: dict[tuple[str, str], dict[str, Any]] = {}  # (bucket, key) -> entry with its ETag

    @property
    def state_file(self) -> Path:
        return self.state_dir / STATE_FILE

    @property
    def log_file(self) -> Path | None:
        return None if self._log is None else self._log.path

    # --- restore ---------------------------------------------------------------------------------

    def restore(self) -> dict[str, int]:
        """Put the last snapshot's data into the (just created, empty) resources, then start a new
        change log from it; counts by kind."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.state_dir.glob(f".{STATE_FILE}.*.tmp"):  # from a save that was killed
            with contextlib.suppress(OSError):
                leftover.unlink()
        counts = {"items": 0, "objects": 0, "messages": 0, "emails": 0}
        saved: SavedState | None = None
        try:
            saved = read_state(self.state_dir)
            if saved is not None:
                tables, emails = state_restore.replay(saved.changes)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._set_aside(exc)
            saved = None
        if saved is not None:
            with self._serialised():
                counts["emails"] = state_restore.restore_ses(emails, saved.ses_sent_count, self._stamps)
            counts["items"] = state_restore.restore_dynamodb(self._aws("dynamodb"), tables)
            counts["objects"] = state_restore.restore_s3(
                self._aws("s3"), saved.s3, self.state_dir / BLOBS_DIR, self._s3_known
            )
            counts["messages"] = state_restore.restore_sqs(self._aws("sqs"), saved.sqs)
            log.info(
                "local state restored from %s: %d items, %d objects, %d queued messages, %d sent emails",
                self.state_dir, counts["items"], counts["objects"], counts["messages"], counts["emails"],
            )  # fmt: skip
        self._changes = dynamodb_changes.watch()
        self._restored = True
        self._save(whole=True)
        return counts

    def _set_aside(self, problem: Exception) -> None:
        suffix = f"unreadable-{int(time.time())}"
        log.error(
            "local state in %s cannot be read (%s): set aside as *.%s, starting empty", self.state_dir, problem, suffix
        )
        for path in [self.state_file, *self.state_dir.glob(f"{LOG_PREFIX}*.jsonl")]:
            with contextlib.suppress(OSError):
                path.replace(path.with_name(f"{path.name}.{suffix}"))

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
        """Save what changed since the last save, now. False when there was nothing restored to
        save over."""
        if not self._restored:
            return False
        self._save(whole=False)
        return True

    def _save(self, *, whole: bool) -> None:
        """Append what changed to the log (or start a new log from the whole data), then replace
        `state.json` to count it. Each entry is written as it is read: building the snapshot whole
        held four copies of the data at once, and the allocator kept the pages (~40 KB a request)."""
        with self._save_lock:
            started = time.monotonic()
            self._dirty.clear()  # changes made while saving mark it stale again
            change_log = self._log if (self._log is not None and not whole) else ChangeLog.create(self.state_dir)
            try:
                with atomic_file(self.state_file) as out:
                    saved_at = datetime.now(UTC).isoformat(timespec="milliseconds")
                    out.write(b'{"version": %d, "saved_at": %s' % (FORMAT_VERSION, json_bytes(saved_at)))
                    with self._serialised():  # which items changed, SQS and SES: one moment
                        held_from = time.monotonic()
                        changed = self._changed_items(change_log, whole=change_log is not self._log)
                        entries = len(changed) + self._log_emails(change_log, whole=change_log is not self._log)
                        _write_lists(out, "sqs", moto_state.queued_messages().items())
                        out.write(b', "ses_sent_count": %d' % moto_state.ses_backend().sent_message_count)
                        held = time.monotonic() - held_from
                    held = max(held, self._log_items(change_log, changed))
                    blobs_dir = self.state_dir / BLOBS_DIR
                    s3 = self._snapshot_s3(blobs_dir)  # through moto's API: outside the lock
                    out.write(b', "s3": %s, "log": %s}' % (json_bytes(s3), json_bytes(change_log.sync())))
            except BaseException:
                # The log may hold part of this save past what the state counts: start a new one.
                change_log.close()
                if self._log is not None:
                    self._log.close()
                self._log = None
                raise
            if change_log is not self._log:
                if self._log is not None:
                    self._log.close()
                self._log = change_log
                remove_other_logs(self.state_dir, keep=change_log.path)
            in_use = {entry["blob"] for objects in s3.values() for entry in objects}
            for path in blobs_dir.iterdir():  # only now: the previous state needed them until here
                if path.name not in in_use:
                    with contextlib.suppress(OSError):
                        path.unlink()
            # Past a second, every AWS call waited that long: say so (bench/local_burst.py counts these).
            log.log(
                logging.INFO if held >= HELD_LONG_SECONDS else logging.DEBUG,
                "local state saved to %s in %.0f ms, moto held for %.0f ms (%d log entries%s)",
                self.state_dir, (time.monotonic() - started) * 1000, held * 1000, entries, ", a new log" if whole else "",
            )  # fmt: skip

    def _changed_items(self, change_log: ChangeLog, *, whole: bool) -> list[tuple[str, Any, Key]]:
        """The keys of the items written since the last save (of every item, for a new log or a
        table created or replaced since), by table. Under moto's lock: `_log_items` reads them."""
        changed = self._changes.take() if self._changes is not None else {}
        tables = moto_state.dynamodb_tables()
        keys: list[tuple[str, Any, Key]] = []
        for name, table in tables.items():
            written = changed.get(name, set())
            if whole or written is None or self._tables_seen.get(name) is not table:  # new, replaced or PartiQL
                if not whole:
                    change_log.clear(name)
                keys.extend((name, table, (item.hash_key, item.range_key)) for item in moto_state.table_items(table))
            else:
                keys.extend((name, table, key) for key in written)
        for gone in self._tables_seen.keys() - tables.keys():
            change_log.clear(gone)
        self._tables_seen = tables
        return keys

    def _log_items(self, change_log: ChangeLog, keys: list[tuple[str, Any, Key]]) -> float:
        """Log each item as it is now (or its deletion), ITEMS_PER_HOLD at a time under moto's lock, so
        that requests wait for a chunk, not for 30 s of changes; the longest hold, in seconds. An item
        written again between chunks is logged as it is then, and noted for the next save as well."""
        longest = 0.0
        for start in range(0, len(keys), ITEMS_PER_HOLD):
            with self._serialised():
                began = time.monotonic()
                for name, table, key in keys[start : start + ITEMS_PER_HOLD]:
                    stored = moto_state.stored_item(table, key)
                    if stored is None:
                        change_log.delete(name, moto_state.key_attributes(table, key))
                    else:
                        change_log.put(name, moto_state.as_scanned(stored))
                longest = max(longest, time.monotonic() - began)
        return longest

    def _log_emails(self, change_log: ChangeLog, *, whole: bool) -> int:
        """Log the emails sent since the last save (moto only ever appends to its list)."""
        sent = moto_state.ses_backend().sent_messages
        if whole or len(sent) < self._emails_logged:
            self._emails_logged = 0
        now = time.time()
        for message in sent[self._emails_logged :]:
            change_log.sent(
                {
                    "type": type(message).__name__,
                    "fields": dict(vars(message)),
                    "timestamp": self._stamps.get(moto_state.ses_message_id(message), now),
                }
            )
        logged, self._emails_logged = len(sent) - self._emails_logged, len(sent)
        return logged

    def _snapshot_s3(self, blobs_dir: Path) -> dict[str, list[dict[str, Any]]]:
        """Every object's entry; its body and headers read only when its ETag is new."""
        blobs_dir.mkdir(parents=True, exist_ok=True)
        s3 = self._aws("s3")
        buckets: dict[str, list[dict[str, Any]]] = {}
        known: dict[tuple[str, str], dict[str, Any]] = {}
        for bucket in (entry["Name"] for entry in s3.list_buckets().get("Buckets", [])):
            objects = buckets.setdefault(bucket, [])
            for listed in state_restore.paginate(s3, "list_objects_v2", "Contents", Bucket=bucket):
                key, etag = listed["Key"], listed["ETag"]
                entry = self._s3_known.get((bucket, key))
                if entry is None or entry["etag"] != etag or not (blobs_dir / entry["blob"]).exists():
                    got = s3.get_object(Bucket=bucket, Key=key)
                    body = got["Body"].read()
                    blob = hashlib.sha256(body).hexdigest()
                    if not (blobs_dir / blob).exists():
                        write_atomically(blobs_dir / blob, body)
                    entry = {
                        "key": key,
                        "blob": blob,
                        "content_type": got.get("ContentType"),
                        "metadata": got.get("Metadata") or {},
                        "etag": got.get("ETag", etag),
                    }
                known[(bucket, key)] = entry
                objects.append(entry)
        self._s3_known = known
        return buckets

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

    def close(self) -> None:
        """Stop noting writes and close the log (after the last save)."""
        if self._changes is not None:
            dynamodb_changes.unwatch(self._changes)
            self._changes = None
        if self._log is not None:
            self._log.close()
            self._log = None


def _write_lists(out: BinaryIO, member: str, groups: Iterable[tuple[str, Iterable[Any]]]) -> None:
    """`, "member": {"group": [entry, ...], ...}`, written one entry at a time."""
    out.write(b", %s: {" % json_bytes(member))
    for index, (group, entries) in enumerate(groups):
        out.write(b"%s%s: [" % (b", " if index else b"", json_bytes(group)))
        for number, entry in enumerate(entries):
            out.write(b"%s%s" % (b", " if number else b"", json_bytes(entry)))
        out.write(b"]")
    out.write(b"}")
