"""python -m infra.backfill_created_day: give requests stored before the `created` index (reports,
issue 11) the attributes it is keyed and projected on, so reports count them too.

Requests written since carry these attributes already (adapters.request_items writes them on every
change). This one-off reads the table once (a Scan: the only way to find items that no index holds
yet), and for each request without `created_day` sets `created_day` and the other attributes the
index projects (corrigo.reports.index_attributes), plus `decided_at` for a resolved request (its
latest move into `resolved`, from its audit events). Each update holds only if the request's
`version` is still the one read: a request changed meanwhile was rewritten whole by the service,
attributes included, and is skipped. Safe to run again; --dry-run only counts. Run it after the
index is ACTIVE (docs/operations.md, "Reports: the created index").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import backfill_cli
from infra.local.lambda_runtime import add_code_dir_to_path

ROOT = Path(__file__).resolve().parents[1]
add_code_dir_to_path(ROOT / "functions")

from adapters.dynamo import Dynamo  # noqa: E402 (the functions' code, importable only from here on)
from adapters.request_items import REQUEST_SK, event_from_item, request_from_item, request_pk  # noqa: E402
from corrigo import privacy, reports  # noqa: E402
from corrigo.lifecycle import Status  # noqa: E402


@dataclass
class Tally:
    updated: int = 0
    skipped: int = 0  # changed meanwhile: the service wrote the attributes itself


def missing_attributes(db: Dynamo, item: dict[str, Any]) -> dict[str, Any]:
    request = request_from_item(item)
    attributes: dict[str, Any] = dict(reports.index_attributes(request))
    if request.status is Status.RESOLVED and not item.get("decided_at"):
        events = [
            event_from_item(found)
            for found in db.query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
                ExpressionAttributeValues={":pk": {"S": request_pk(request.reference)}, ":events": {"S": "EVENT#"}},
            )
        ]
        attributes["decided_at"] = privacy.resolved_at(request, events)
    return attributes


def requests_without_day(db: Dynamo) -> Any:
    return backfill_cli.scanned_items(
        db, "sk = :request AND attribute_not_exists(created_day)", {":request": REQUEST_SK}
    )


def backfill(db: Dynamo, *, dry_run: bool = False) -> Tally:
    tally = Tally()
    for item in requests_without_day(db):
        attributes = missing_attributes(db, item)
        if dry_run:
            tally.updated += 1
            continue
        names = {f"#a{n}": name for n, name in enumerate(attributes)}
        values = {f":a{n}": db.value(value) for n, value in enumerate(attributes.values())}
        answer = db.call(
            "update_item",
            ignore="ConditionalCheckFailedException",
            Key=db.encode({"pk": item["pk"], "sk": item["sk"]}),
            UpdateExpression="SET " + ", ".join(f"#a{n} = :a{n}" for n in range(len(attributes))),
            ConditionExpression="version = :version",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":version": db.value(item["version"])},
        )
        if answer is None:
            tally.skipped += 1
        else:
            tally.updated += 1
    return tally


def main(argv: list[str] | None = None, *, session: Any = None) -> int:
    parser = backfill_cli.arguments(
        "python -m infra.backfill_created_day", __doc__.splitlines()[0], "count the requests to update, change nothing"
    )
    args = parser.parse_args(argv)
    session, client = backfill_cli.dynamodb_client(args, session)
    db = Dynamo(backfill_cli.table_name(args, session), client)
    tally = backfill(db, dry_run=args.dry_run)
    verb = "would update" if args.dry_run else "updated"
    print(f"{verb} {tally.updated} request(s); {tally.skipped} changed meanwhile and already carry the day")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
