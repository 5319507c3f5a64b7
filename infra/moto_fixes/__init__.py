"""Fixes for moto's costs that grow with the data, applied wherever the project runs moto.

moto is a test double, and a few of its operations cost in proportion to everything it holds, or keep
what they should let go: a burst of 1,000 submissions took the local stack to 12.6 GB. Each module
here replaces one such operation with one that keeps moto's behaviour (the tests in
tests/integration/moto_fixes/ run the same scenarios on both) and costs in proportion to the request:

- `instance_tracker`: moto's tracker of every model object holds them weakly;
- `dynamodb_transactions`: TransactWriteItems rolls back from a journal of the items it touched
  instead of deep copies of whole tables;
- `dynamodb_queries`: Query considers the items of its partition, not the whole table sorted, and
  orders them by plain values before moto's own sort (which then finds them in order);
- `sqs_queues`: SendMessage, ReceiveMessage and DeleteMessage walk a queue once, not dozens of times;
- `dynamodb_streams`: GetRecords forgets the shard iterator it used (moto kept every one);
- `dynamodb_items`: an item holds its key values once (moto built them twice);
- `dynamodb_stream_records`: a stream record is kept pickled and compressed, not as nested dicts;
- `dynamodb_strings`: the equal strings of one request are one object in the items built from it, and
  attribute names are interned.

`apply()` is called by the local stack (infra/local/moto_endpoint.py), the in-process test fixture
(tests/conftest.py `aws`) and the benchmarks (bench/moto_stack.py). When moto no longer needs one of
them, tests/integration/moto_fixes/test_upstream_still_needs_fixes.py fails and names the module to
delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import (
    dynamodb_items,
    dynamodb_queries,
    dynamodb_stream_records,
    dynamodb_streams,
    dynamodb_strings,
    dynamodb_transactions,
    instance_tracker,
    sqs_queues,
)

FIXES = (
    instance_tracker,
    dynamodb_transactions,
    dynamodb_queries,
    sqs_queues,
    dynamodb_streams,
    dynamodb_items,
    dynamodb_stream_records,
    dynamodb_strings,
)


def apply() -> None:
    """Patch moto in this process; calling it again changes nothing."""
    for fix in FIXES:
        fix.apply()


def remove() -> None:
    for fix in reversed(FIXES):
        fix.remove()


def is_applied() -> bool:
    return all(fix.is_applied() for fix in FIXES)


@contextmanager
def upstream_moto() -> Iterator[None]:
    """moto as released, for the duration: what the tests compare the fixes against."""
    applied = [fix for fix in FIXES if fix.is_applied()]
    for fix in reversed(applied):
        fix.remove()
    try:
        yield
    finally:
        for fix in applied:
            fix.apply()
