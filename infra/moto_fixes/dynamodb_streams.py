"""DynamoDB Streams in moto without keeping every shard iterator ever handed out.

moto 5.2.5 stores each iterator GetShardIterator or GetRecords returns (472 random bytes and an
object each) in a dict it never prunes. A reader polls once a second and after every batch (the
local stack's stream event source, infra/local/streams.py), so the dict grows for as long as the
stack runs. In AWS an iterator is good for one GetRecords, then expires (15 minutes): here a
GetRecords forgets the iterator it was given. What a client sees is unchanged: it must use the
NextShardIterator of each answer, as in AWS.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodbstreams.models import DynamoDBStreamsBackend

_UPSTREAM_GET_RECORDS = DynamoDBStreamsBackend.get_records


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    answer = _UPSTREAM_GET_RECORDS(self, iterator_arn, limit)
    self.shard_iterators.pop(iterator_arn, None)
    return answer


def apply() -> None:
    DynamoDBStreamsBackend.get_records = _get_records  # type: ignore[method-assign]


def remove() -> None:
    DynamoDBStreamsBackend.get_records = _UPSTREAM_GET_RECORDS  # type: ignore[method-assign]


def is_applied() -> bool:
    return DynamoDBStreamsBackend.__dict__["get_records"] is _get_records
