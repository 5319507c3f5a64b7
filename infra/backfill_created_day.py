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

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    pages = db.client.get_paginator("scan").paginate(
        TableName=db.table_name,
        FilterExpression="sk = :request AND attribute_not_exists(created_day)",
        ExpressionAttributeValues={":request": {"S": REQUEST_SK}},
    )
    for page in pages:
        yield from (db.decode(item) for item in page.get("Items", []))


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


def table_name(args: argparse.Namespace, session: Any) -> str:
    if args.table:
        return str(args.table)
    from infra.redrive import default_stack

    cloudformation = session.client("cloudformation")
    found = cloudformation.describe_stack_resource(
        StackName=args.stack or default_stack(), LogicalResourceId="RequestsTable"
    )
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def main(argv: list[str] | None = None, *, session: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.backfill_created_day", description=__doc__.splitlines()[0])
    parser.add_argument("--table", help="the requests table's name (default: the stack's RequestsTable)")
    parser.add_argument("--stack", help="CloudFormation stack (default from samconfig.toml)")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", ""), help="the local stack")
    parser.add_argument("--dry-run", action="store_true", help="count the requests to update, change nothing")
    args = parser.parse_args(argv)
    if session is None:
        import boto3

        session = boto3.session.Session()
    endpoint = {"endpoint_url": args.endpoint_url} if args.endpoint_url else {}
    db = Dynamo(table_name(args, session), session.client("dynamodb", **endpoint))
    tally = backfill(db, dry_run=args.dry_run)
    verb = "would update" if args.dry_run else "updated"
    print(f"{verb} {tally.updated} request(s); {tally.skipped} changed meanwhile and already carry the day")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
