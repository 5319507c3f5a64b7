"""A DynamoDB stream record kept packed in moto: its answer as compressed bytes, not nested dicts.

moto 5.2.5 keeps every record of a table's stream for as long as it runs (AWS trims them after
24 hours), each as the dict GetRecords answers with: the item's image in DynamoDB JSON, a few dozen
small dicts and strings. The outbox table's stream carries two records per submission (the message
put, then marked delivered), with the message's whole image in each, and the local stack kept them
at about 4 KB each (measured in a burst, docs/operations.md "Local stack").

Here a record keeps that dict pickled and compressed once it is built, and builds it again when it is
read (GetRecords reads each record once or twice; what the readers get is an equal dict, built
fresh each time). Nothing is dropped: every record stays readable for as long as moto runs, as
before, so TRIM_HORIZON, AT_SEQUENCE_NUMBER and /moto-api/data.json answer exactly as released moto
does (tests/integration/moto_fixes/test_dynamodb_stream_records.py). moto only ever reads a record
(`to_json`, the `record` attribute); nothing changes one after it is built.
"""

from __future__ import annotations

import pickle
import zlib
from typing import Any

from moto.dynamodb.models.table import StreamRecord

_UPSTREAM_INIT = StreamRecord.__dict__["__init__"]
_PACKED = "_packed_record"  # the pickled, compressed record (a private name: the dashboard skips it)
_OPEN = "_open_record"  # the record while moto's constructor is still filling it in


def _pack(record: dict[str, Any]) -> bytes:
    return zlib.compress(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> dict[str, Any]:
    return pickle.loads(zlib.decompress(packed))  # type: ignore[no-any-return]  # noqa: S301 (our own bytes)


def _get_record(self: StreamRecord) -> dict[str, Any]:
    state = self.__dict__
    if _PACKED in state:
        return _unpack(state[_PACKED])
    if _OPEN in state:
        return state[_OPEN]  # type: ignore[no-any-return]
    return state["record"]  # type: ignore[no-any-return]  # built before the fix was applied


def _set_record(self: StreamRecord, record: dict[str, Any]) -> None:
    self.__dict__.pop(_PACKED, None)
    self.__dict__[_OPEN] = record


def _init_packed(self: StreamRecord, *args: Any, **kwargs: Any) -> None:
    _UPSTREAM_INIT(self, *args, **kwargs)  # assigns, then fills in, `self.record` (the property above)
    self.__dict__[_PACKED] = _pack(self.__dict__.pop(_OPEN))


_RECORD = property(_get_record, _set_record)


def apply() -> None:
    StreamRecord.record = _RECORD  # type: ignore[assignment,method-assign]
    StreamRecord.__init__ = _init_packed  # type: ignore[method-assign]


def remove() -> None:
    """moto's own records again; those built meanwhile are unpacked (moto's tracker knows them all)."""
    StreamRecord.__init__ = _UPSTREAM_INIT  # type: ignore[method-assign]
    if StreamRecord.__dict__.get("record") is _RECORD:
        del StreamRecord.record
    for record in list(StreamRecord.instances_tracked):  # type: ignore[attr-defined]
        state = record.__dict__
        if _PACKED in state:
            state["record"] = _unpack(state.pop(_PACKED))
        elif _OPEN in state:
            state["record"] = state.pop(_OPEN)


def is_applied() -> bool:
    return StreamRecord.__dict__["__init__"] is _init_packed
