"""With infra/moto_fixes applied, moto's costs follow the request, not the data it holds.

Each bound here is one moto as released exceeds many times over (the figures in the comments were
measured with the fixes removed).
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest

from tests.integration.moto_fixes.conftest import REQUESTS
from tests.integration.moto_fixes.probes import alive, counting_built, fill, submit_by_puts, submit_by_transaction

TABLE_ITEMS = 200
TRANSACTIONS = 20


def test_a_transaction_builds_no_copy_of_the_tables_it_touches(
    fixed_dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    fill(fixed_dynamodb, TABLE_ITEMS)

    with counting_built(Table, monkeypatch) as tables, counting_built(Item, monkeypatch) as items:
        for index in range(TRANSACTIONS):
            submit_by_transaction(fixed_dynamodb, index)

    # Released moto: 60 tables and 8,840 items built (it copies a table whole for each operation on it).
    assert tables.count == 0
    # Two items put, the counter updated (moto copies the item it updates) and that copy in the journal.
    assert items.count <= TRANSACTIONS * 4


def test_transactions_keep_no_more_memory_than_the_same_items_written_one_by_one(fixed_dynamodb: Any) -> None:
    fill(fixed_dynamodb, TABLE_ITEMS // 4)
    submit_by_puts(fixed_dynamodb, -1)  # warm both paths: moto's parsers and caches are not what we measure
    submit_by_transaction(fixed_dynamodb, -1)

    def retained(submit: Any) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for index in range(TRANSACTIONS):
                submit(fixed_dynamodb, index)
            gc.collect()
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()

    floor = retained(submit_by_puts)
    by_transaction = retained(submit_by_transaction)

    # Measured here: 0.19 MB for the floor, 0.21 MB with the fixes, 14.1 MB for moto as released.
    assert by_transaction <= 2 * floor + 256 * 1024, f"transactions kept {by_transaction:,} bytes, puts {floor:,}"


def test_the_instance_tracker_lets_go_of_moto_copies(fixed_dynamodb: Any) -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    fill(fixed_dynamodb, 50)
    for _ in range(20):  # a scan copies every item it returns; an update copies the item it changes
        fixed_dynamodb.scan(TableName=REQUESTS)
    for index in range(TRANSACTIONS):
        submit_by_transaction(fixed_dynamodb, index)

    # Released moto keeps 3,890 items (every scanned copy, every item of the transactions' table copies,
    # every old version of the counter) and 62 tables.
    stored = fixed_dynamodb.scan(TableName=REQUESTS, Select="COUNT")["Count"] + 1  # + the one counter
    assert alive(Item) <= stored + 1  # + the scan's own copies, if the collector has not run yet
    assert alive(Table) == 2


def test_the_tracker_still_lists_every_live_object_for_moto_dashboard(fixed_dynamodb: Any) -> None:
    import requests

    fill(fixed_dynamodb, 3)

    dashboard = requests.get("http://motoapi.amazonaws.com/moto-api/data.json", timeout=5).json()

    assert len(dashboard["dynamodb"]["Table"]) == 2
    assert len(dashboard["dynamodb"]["Item"]) == 3
