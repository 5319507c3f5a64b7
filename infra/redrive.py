"""`make redrive` (python -m infra.redrive): move every dead letter back to the queue it came from.

Which queues: every SQS queue of template.yaml with a RedrivePolicy, paired with its dead-letter
queue. Where: in AWS, the deployed stack's queues (CloudFormation names them; --stack, default from
samconfig.toml); on the local stack, the queues `make run` created (--endpoint-url, or
AWS_ENDPOINT_URL). Safe by construction: a message is deleted from the dead-letter queue only after
its copy was sent to the source queue, so a crash in between duplicates a message (every consumer is
idempotent) and never loses one. --dry-run only counts.

Redrive after fixing what sent them there: a message that still fails goes back to the dead-letter
queue after maxReceiveCount tries.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.resources import PHYSICAL_NAME_PREFIX
from infra.local.template import load_template

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Pair:
    source: str  # logical ids in the template
    dead_letter: str


def redrive_pairs(template: dict[str, Any]) -> list[Pair]:
    pairs = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::SQS::Queue":
            continue
        target = (resource.get("Properties", {}).get("RedrivePolicy") or {}).get("deadLetterTargetArn")
        if isinstance(target, dict) and "Fn::GetAtt" in target:
            getatt = target["Fn::GetAtt"]
            dlq = getatt[0] if isinstance(getatt, list) else str(getatt).split(".")[0]
            pairs.append(Pair(logical_id, dlq))
    return pairs


class QueueLocator:
    """Logical id → queue URL, in AWS (CloudFormation) or on the local stack (its naming rule)."""

    def __init__(self, sqs: Any, cloudformation: Any | None, stack: str) -> None:
        self.sqs, self.cloudformation, self.stack = sqs, cloudformation, stack

    def url(self, logical_id: str) -> str:
        if self.cloudformation is None:
            return str(self.sqs.get_queue_url(QueueName=f"{PHYSICAL_NAME_PREFIX}{logical_id}")["QueueUrl"])
        found = self.cloudformation.describe_stack_resource(StackName=self.stack, LogicalResourceId=logical_id)
        return str(found["StackResourceDetail"]["PhysicalResourceId"])


def waiting(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def move(sqs: Any, dead_letter_url: str, source_url: str, limit: int | None = None) -> int:
    """Move messages until the dead-letter queue answers empty (or ``limit`` were moved)."""
    moved = 0
    while limit is None or moved < limit:
        batch = sqs.receive_message(
            QueueUrl=dead_letter_url,
            MaxNumberOfMessages=10 if limit is None else min(10, limit - moved),
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
            VisibilityTimeout=60,
        ).get("Messages", [])
        if not batch:
            return moved
        for message in batch:
            send: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                send["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**send)  # first the copy …
            sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])  # … then the original
            moved += 1
    return moved


def default_stack() -> str:
    try:
        config = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))
        return str(config["default"]["global"]["parameters"]["stack_name"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "corrigo-dev"


def main(argv: list[str] | None = None, *, session: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.redrive", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="count the dead letters, move nothing")
    parser.add_argument("--stack", default=default_stack(), help="CloudFormation stack (AWS; default from samconfig)")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", ""), help="the local stack")
    parser.add_argument("--queue", help="only this source queue (logical id)")
    parser.add_argument("--limit", type=int, help="move at most this many per queue")
    args = parser.parse_args(argv)

    if session is None:
        import boto3

        session = boto3.session.Session()
    endpoint = {"endpoint_url": args.endpoint_url} if args.endpoint_url else {}
    sqs = session.client("sqs", **endpoint)
    cloudformation = None if args.endpoint_url else session.client("cloudformation")
    locator = QueueLocator(sqs, cloudformation, args.stack)

    pairs = [p for p in redrive_pairs(load_template(ROOT / "template.yaml")) if args.queue in (None, p.source)]
    if not pairs:
        print("no queue with a dead-letter queue matches", file=sys.stderr)
        return 2
    total = 0
    for pair in pairs:
        source, dead_letter = locator.url(pair.source), locator.url(pair.dead_letter)
        count = waiting(sqs, dead_letter)
        if args.dry_run:
            print(f"{pair.dead_letter} → {pair.source}: {count} message(s) would be moved")
            total += count
            continue
        moved = move(sqs, dead_letter, source, args.limit)
        print(f"{pair.dead_letter} → {pair.source}: moved {moved} message(s)")
        total += moved
    print(f"{'would move' if args.dry_run else 'moved'} {total} message(s) in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
