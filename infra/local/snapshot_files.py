"""The local stack's snapshot on disk (see persistence.py for what is saved and when).

A state directory holds:

- `state.json`, replaced whole (a temporary file renamed over it) at every save: the format version,
  the name of the change log and how many of its bytes this state vouches for, moto's count of sent
  emails, the SQS messages and the S3 objects' entries;
- `changes-<id>.jsonl`, the change log, one JSON object a line: `{"put": table, "item": {...}}`,
  `{"delete": table, "key": {...}}`, `{"clear": table}` (forget the table's items so far) and
  `{"sent": {...}}` (an email SES sent). A log starts with every item and email there was, then only
  grows by what changed; a save appends to it, flushes it to disk, and only then writes the state
  that counts the new bytes. Bytes past that count (a save killed half-way) are not read back;
- `blobs/<sha256>`: S3 objects' bodies, content-addressed.

Version 1 kept the items and emails inside `state.json` itself; it is still read.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

STATE_FILE = "state.json"
BLOBS_DIR = "blobs"
LOG_PREFIX = "changes-"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


@dataclass
class SavedState:
    """What a state directory holds, read back in the order it was written."""

    sqs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    s3: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ses_sent_count: int = 0
    # The log's entries in order, each (kind, table or None, payload), read as they are iterated:
    # replayed, not merged here, since which attributes make an item's key is the table's to say.
    changes: Iterable[tuple[str, str | None, Any]] = ()


def read_state(state_dir: Path) -> SavedState | None:
    """The saved state, or None when there is none. ValueError/OSError when it cannot be read."""
    state_file = state_dir / STATE_FILE
    if not state_file.exists():
        return None
    state = json.loads(state_file.read_text(encoding="utf-8"))
    if not isinstance(state, dict) or state.get("version") not in READABLE_VERSIONS:
        raise ValueError("unknown snapshot format")
    saved = SavedState(sqs=state.get("sqs") or {}, s3=state.get("s3") or {})
    if state["version"] == 1:
        ses = state.get("ses") or {}
        saved.ses_sent_count = int(ses.get("sent_count") or 0)
        tables = (state.get("dynamodb") or {}).items()
        puts = [("put", table, item) for table, items in tables for item in items]
        saved.changes = [*puts, *(("sent", None, message) for message in ses.get("messages") or [])]
        return saved
    saved.ses_sent_count = int(state.get("ses_sent_count") or 0)
    log = state.get("log") or {}
    if log:
        path, length = state_dir / Path(str(log["name"])).name, int(log["bytes"])
        if path.stat().st_size < length:
            raise ValueError(f"{path.name} is shorter than the state says ({path.stat().st_size} < {length} bytes)")
        saved.changes = _read_log(path, length)
    return saved


def _read_log(path: Path, length: int) -> Iterator[tuple[str, str | None, Any]]:
    with path.open("rb") as handle:
        read = 0
        while read < length:
            line = handle.readline()
            read += len(line)
            if read > length or not line.endswith(b"\n"):
                raise ValueError(f"{path.name}: the entry ending at byte {read} is not whole")
            yield _entry(path, json.loads(line))


def _entry(path: Path, entry: dict[str, Any]) -> tuple[str, str | None, Any]:
    if "put" in entry:
        return "put", entry["put"], entry["item"]
    if "delete" in entry:
        return "delete", entry["delete"], entry["key"]
    if "clear" in entry:
        return "clear", entry["clear"], None
    if "sent" in entry:
        return "sent", None, entry["sent"]
    raise ValueError(f"{path.name}: unknown entry {sorted(entry)}")


class ChangeLog:
    """The change log being written: opened for appending, its length counted as it is written."""

    def __init__(self, path: Path, *, fresh: bool) -> None:
        self.path = path
        self._handle: BinaryIO = path.open("wb" if fresh else "ab", buffering=1 << 20)
        self.length = self._handle.tell()

    @classmethod
    def create(cls, state_dir: Path) -> ChangeLog:
        return cls(state_dir / f"{LOG_PREFIX}{uuid.uuid4().hex}.jsonl", fresh=True)

    def put(self, table: str, item: dict[str, Any]) -> None:
        self._write({"put": table, "item": encode_item(item)})

    def delete(self, table: str, key: dict[str, Any]) -> None:
        self._write({"delete": table, "key": encode_item(key)})

    def clear(self, table: str) -> None:
        self._write({"clear": table})

    def sent(self, message: dict[str, Any]) -> None:
        self._write({"sent": message})

    def _write(self, entry: dict[str, Any]) -> None:
        self.length += self._handle.write(json_bytes(entry) + b"\n")

    def sync(self) -> dict[str, Any]:
        """On disk now; the entry `state.json` keeps to name it."""
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return {"name": self.path.name, "bytes": self.length}

    def close(self) -> None:
        self._handle.close()


def remove_other_logs(state_dir: Path, keep: Path) -> None:
    for path in state_dir.glob(f"{LOG_PREFIX}*.jsonl"):
        if path != keep:
            with contextlib.suppress(OSError):
                path.unlink()


# DynamoDB's typed JSON, as on the wire: binary values as base64 text.


def encode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _encode_value(value) for name, value in item.items()}


def _encode_value(value: dict[str, Any]) -> dict[str, Any]:
    kind, data = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(data).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in data]}
    if kind == "M":
        return {"M": encode_item(data)}
    if kind == "L":
        return {"L": [_encode_value(item) for item in data]}
    return {kind: data}


def decode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _decode_value(value) for name, value in item.items()}


def _decode_value(value: dict[str, Any]) -> dict[str, Any]:
    kind, data = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64decode(data)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item) for item in data]}
    if kind == "M":
        return {"M": decode_item(data)}
    if kind == "L":
        return {"L": [_decode_value(item) for item in data]}
    return {kind: data}


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
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


def write_atomically(path: Path, data: bytes) -> None:
    with atomic_file(path) as handle:
        handle.write(data)
