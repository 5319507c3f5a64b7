"""DynamoDB: how many requests each status holds, kept by the write path (excluding spam).

  COUNTS#status / SHARD#<n>    one number per status, e.g. queued = 412

Every write that creates a request or changes its status (or its spam flag) adds one to the status it
enters and takes one from the one it leaves, in the same transaction (adapters.request_items): the
counts are never a query per status. A change updates one of SHARDS items (by its reference and
version) so that concurrent changes seldom touch the same item: two transactions updating one item at
once cancel each other. Reading sums the shards: one Query.
"""

from __future__ import annotations

import zlib

from adapters.dynamo import Dynamo, Write
from corrigo.model import CorrectionRequest
from corrigo.spam import is_spam

COUNTS_PK = "COUNTS#status"
SHARDS = 32


def counted_as(request: CorrectionRequest | None) -> str | None:
    """The status a request counts under; None when it does not count (not there yet, or spam)."""
    if request is None or is_spam(request):
        return None
    return request.status.value


def counter_writes(db: Dynamo, before: CorrectionRequest | None, after: CorrectionRequest) -> list[Write]:
    """The counts' change, if the request enters or leaves a counted status (nothing otherwise)."""
    leaves, enters = counted_as(before), counted_as(after)
    if leaves == enters:
        return []
    deltas = {name: step for name, step in ((leaves, -1), (enters, 1)) if name is not None}
    shard = zlib.crc32(f"{after.reference}#{after.version}".encode()) % SHARDS
    names = {f"#c{n}": name for n, name in enumerate(deltas)}
    values = {f":c{n}": {"N": str(step)} for n, step in enumerate(deltas.values())}
    update = {
        "Update": {
            "TableName": db.table_name,
            "Key": db.encode({"pk": COUNTS_PK, "sk": f"SHARD#{shard:02d}"}),
            "UpdateExpression": "ADD " + ", ".join(f"#c{n} :c{n}" for n in range(len(deltas))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
    return [Write(update)]


class QueueCounters:
    def __init__(self, db: Dynamo) -> None:
        self.db = db

    def read(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for item in self.db.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": COUNTS_PK}}
        ):
            for name, value in item.items():
                if name not in ("pk", "sk"):
                    totals[name] = totals.get(name, 0) + int(value)
        return totals
