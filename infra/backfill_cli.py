"""What the one-off backfills of RequestsTable share: their arguments, the table they open, and how
they read it (a Scan: a one-off job may read the whole table, the service never does)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from typing import Any


def arguments(prog: str, description: str, dry_run_help: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--table", help="the requests table's name (default: the stack's RequestsTable)")
    parser.add_argument("--stack", help="CloudFormation stack (default from samconfig.toml)")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", ""), help="the local stack")
    parser.add_argument("--dry-run", action="store_true", help=dry_run_help)
    return parser


def table_name(args: argparse.Namespace, session: Any) -> str:
    if args.table:
        return str(args.table)
    from infra.redrive import default_stack

    cloudformation = session.client("cloudformation")
    found = cloudformation.describe_stack_resource(
        StackName=args.stack or default_stack(), LogicalResourceId="RequestsTable"
    )
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def dynamodb_client(args: argparse.Namespace, session: Any = None) -> tuple[Any, Any]:
    """The session (a new one unless given) and its DynamoDB client, on the local stack if asked."""
    if session is None:
        import boto3

        session = boto3.session.Session()
    endpoint = {"endpoint_url": args.endpoint_url} if args.endpoint_url else {}
    return session, session.client("dynamodb", **endpoint)


def scanned_items(db: Any, filter_expression: str, values: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of `db`'s table (an adapters.dynamo.Dynamo) that `filter_expression` keeps, decoded;
    `values` are the expression's values, as Python values."""
    pages = db.client.get_paginator("scan").paginate(
        TableName=db.table_name,
        FilterExpression=filter_expression,
        ExpressionAttributeValues={name: db.value(value) for name, value in values.items()},
    )
    for page in pages:
        yield from (db.decode(item) for item in page.get("Items", []))
