"""python -m infra.backfill_queue_index: move requests stored before issue 11's queue into its layout
(the `queue` index's partitions, the views, the search tokens, the counts per status).

The `queue` GSI keeps its key attributes; what queue_status holds changed (corrigo.queue_index: `open`
for the three open statuses, `spam#…` for spam, instead of the status), and each open request now has
rows in the queue's views, every request has search tokens, and the table has counts per status.
Requests written since carry all of it (adapters.request_items writes it with every change). This
one-off reads the table once (a Scan), and for each request: sets queue_status, only if its `version`
is still the one read (a request changed meanwhile was rewritten whole by the service, and is skipped),
and in the same transaction puts its views' rows and its search tokens (puts of the same items: safe to
run again). Then it deletes every search token its request's stored fields no longer give (after a
change of the tokeniser, whose old tokens the service would never delete, not even at an erasure: run
it with every such change), and sets the counts to what the scan found: run it while the desk is quiet, or run it
again (or with --counts-only) after, since a change between the scan and the end is not counted twice
but may be missed. --dry-run only counts. docs/operations.md, "The queue's layout (issue 11)".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra import backfill_cli
from infra.local.lambda_runtime import add_code_dir_to_path

ROOT = Path(__file__).resolve().parents[1]
add_code_dir_to_path(ROOT / "functions")

from adapters.dynamo import Dynamo, Write  # noqa: E402 (the functions' code, importable only from here on)
from adapters.queue_counters import COUNTS_PK, SHARDS, counted_as  # noqa: E402
from adapters.request_items import REQUEST_SK, kept_writes, request_from_item, request_pk  # noqa: E402
from adapters.search_index import SEARCH_PK_PREFIX  # noqa: E402
from corrigo import queue_index  # noqa: E402
from corrigo.errors import ConcurrentChange  # noqa: E402
from corrigo.search_tokens import request_tokens  # noqa: E402


@dataclass
class Tally:
    updated: int = 0
    skipped: int = 0  # changed meanwhile: the service wrote the new layout itself
    pruned: int = 0  # search tokens the request's fields no longer give (or of a request gone)
    counts: Counter[str] = field(default_factory=Counter)


def stored_requests(db: Dynamo) -> Any:
    return backfill_cli.scanned_items(db, "sk = :request", {":request": REQUEST_SK})


def relayout(db: Dynamo, item: dict[str, Any]) -> bool:
    """One request into the new layout; False if it changed meanwhile (the service did it)."""
    request = request_from_item(item)
    update = {
        "Update": {
            "TableName": db.table_name,
            "Key": db.encode({"pk": item["pk"], "sk": item["sk"]}),
            "UpdateExpression": "SET queue_status = :p",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {
                ":p": db.value(queue_index.home_partition(request)),
                ":v": db.value(item["version"]),
            },
        }
    }
    kept = [write for write in kept_writes(db, None, request) if "Put" in write.element]  # no counter: set below
    try:
        db.transact([Write(update), *kept])
    except ConcurrentChange:
        return False
    return True


def prune_tokens(db: Dynamo, *, dry_run: bool = False) -> int:
    """Delete every search token that its request's stored fields do not give (a tokeniser changed, or
    the request is gone): the service only ever deletes the tokens it would write itself."""
    pages = db.client.get_paginator("scan").paginate(
        TableName=db.table_name,
        FilterExpression="begins_with(pk, :search)",
        ExpressionAttributeValues={":search": {"S": SEARCH_PK_PREFIX}},
    )
    given: dict[str, frozenset[str]] = {}
    pruned = 0
    for page in pages:
        for item in (db.decode(raw) for raw in page.get("Items", [])):
            reference, token = str(item["sk"]), str(item["pk"]).removeprefix(SEARCH_PK_PREFIX)
            if reference not in given:
                stored = db.get(request_pk(reference), REQUEST_SK)
                fields = request_from_item(stored).fields if stored else {}
                given[reference] = frozenset(request_tokens(fields))
            if token not in given[reference]:
                pruned += 1
                if not dry_run:
                    db.call("delete_item", Key=db.encode({"pk": item["pk"], "sk": item["sk"]}))
    return pruned


def set_counts(db: Dynamo, counts: Counter[str]) -> None:
    """Every shard emptied, the first holding the totals."""
    for shard in range(SHARDS):
        db.call("delete_item", Key=db.encode({"pk": COUNTS_PK, "sk": f"SHARD#{shard:02d}"}))
    db.call("put_item", Item=db.encode({"pk": COUNTS_PK, "sk": "SHARD#00", **counts}))


def backfill(db: Dynamo, *, dry_run: bool = False, counts_only: bool = False) -> Tally:
    tally = Tally()
    for item in stored_requests(db):
        status = counted_as(request_from_item(item))
        if status is not None:
            tally.counts[status] += 1
        if dry_run or counts_only:
            tally.updated += 0 if counts_only else 1
            continue
        if relayout(db, item):
            tally.updated += 1
        else:
            tally.skipped += 1
    if not counts_only:
        tally.pruned = prune_tokens(db, dry_run=dry_run)
    if not dry_run:
        set_counts(db, tally.counts)
    return tally


def main(argv: list[str] | None = None, *, session: Any = None) -> int:
    parser = backfill_cli.arguments(
        "python -m infra.backfill_queue_index", __doc__.splitlines()[0], "count the requests to move, change nothing"
    )
    parser.add_argument("--counts-only", action="store_true", help="only set the counts per status again")
    args = parser.parse_args(argv)
    session, client = backfill_cli.dynamodb_client(args, session)
    db = Dynamo(backfill_cli.table_name(args, session), client)
    tally = backfill(db, dry_run=args.dry_run, counts_only=args.counts_only)
    verb = "would move" if args.dry_run else "moved"
    counted = ", ".join(f"{status} {n}" for status, n in sorted(tally.counts.items()))
    print(
        f"{verb} {tally.updated} request(s); {tally.skipped} changed meanwhile; "
        f"{tally.pruned} stale search token(s) {'to delete' if args.dry_run else 'deleted'}; counts: {counted}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
