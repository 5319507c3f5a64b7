"""The local stack keeps its data across a restart (infra/local/persistence.py).

The stack runs as `make run` runs it, in its own process (an in-process stack here would reset moto
under this package's shared one), stopped with SIGINT and started again on the same LOCAL_STATE_DIR.
"""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from tests.support.stack_process import RunningStack, start_stack, stop_stack

BINARY = bytes(range(256))


def send_mail(stack: RunningStack, sender: str, subject: str) -> str:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "reader@example.com", subject
    message.set_content(f"{subject}: 正文")
    return stack.client("ses").send_raw_email(RawMessage={"Data": message.as_bytes()})["MessageId"]


def queue_named(stack: RunningStack, suffix: str) -> str:
    urls = stack.client("sqs").list_queues()["QueueUrls"]
    return next(url for url in urls if url.endswith(suffix))


@pytest.fixture
def state_dir(tmp_path):
    return tmp_path / "state"


def test_tables_objects_queued_messages_and_the_outbox_survive_a_restart(state_dir):
    env = {"LOCAL_STATE_DIR": str(state_dir)}
    first = start_stack(extra_env=env)
    try:
        dynamodb, s3 = first.client("dynamodb"), first.client("s3")
        tables = dynamodb.list_tables()["TableNames"]
        assert tables
        table = tables[0]
        key_schema = dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
        item = {entry["AttributeName"]: {"S": f"persist-{entry['KeyType']}"} for entry in key_schema}
        item.update({"blob": {"B": BINARY}, "nested": {"M": {"list": {"L": [{"N": "1.5"}, {"BS": [b"a", b"b"]}]}}}})
        dynamodb.put_item(TableName=table, Item=item)
        before_items = {name: dynamodb.scan(TableName=name)["Items"] for name in tables}

        bucket = s3.list_buckets()["Buckets"][0]["Name"]
        s3.put_object(
            Bucket=bucket, Key="raw/mail 1.eml", Body=BINARY, ContentType="message/rfc822", Metadata={"a": "b"}
        )

        dead_letters = queue_named(first, "IntakeDeadLetterQueue")  # no consumer: it stays queued
        first.client("sqs").send_message(
            QueueUrl=dead_letters,
            MessageBody=json.dumps({"reference": "CR-2026-PERSIST"}),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
        )

        sender = next(i for i in first.client("ses").list_identities()["Identities"] if "@" not in i)
        ids = [send_mail(first, f"desk@{sender}", f"persisted {n}") for n in range(3)]
        outbox_before = first.outbox()
        assert [m["id"] for m in outbox_before][-3:] == ids
    finally:
        stop_stack(first)
    assert (state_dir / "state.json").exists()
    assert not [line for line in first.log if "Traceback" in line], "\n".join(first.log[-40:])

    second = start_stack(extra_env=env)
    try:
        dynamodb, s3 = second.client("dynamodb"), second.client("s3")
        after_items = {name: dynamodb.scan(TableName=name)["Items"] for name in tables}
        assert after_items == before_items
        key = {entry["AttributeName"]: item[entry["AttributeName"]] for entry in key_schema}
        assert dynamodb.get_item(TableName=table, Key=key)["Item"] == item

        obj = s3.get_object(Bucket=bucket, Key="raw/mail 1.eml")
        assert obj["Body"].read() == BINARY
        assert obj["ContentType"] == "message/rfc822"
        assert obj["Metadata"] == {"a": "b"}

        received = second.client("sqs").receive_message(
            QueueUrl=queue_named(second, "IntakeDeadLetterQueue"), MessageAttributeNames=["All"], WaitTimeSeconds=1
        )["Messages"]
        assert [json.loads(m["Body"]) for m in received] == [{"reference": "CR-2026-PERSIST"}]
        assert received[0]["MessageAttributes"]["kind"]["StringValue"] == "test"

        # Same messages, same order, same ids and timestamps: nothing re-sent, nothing lost.
        assert second.outbox() == outbox_before
    finally:
        stop_stack(second)

    # A third start still finds it all: the restored data was saved again at the second stop.
    third = start_stack(extra_env=env)
    try:
        assert third.outbox() == outbox_before
        assert third.client("s3").get_object(Bucket=bucket, Key="raw/mail 1.eml")["Body"].read() == BINARY
    finally:
        stop_stack(third)
    blobs = list((state_dir / "blobs").iterdir())
    assert len(blobs) == 1  # content-addressed; nothing left behind by temporary files


def test_local_state_off_starts_empty_every_time(state_dir):
    env = {"LOCAL_STATE_DIR": str(state_dir), "LOCAL_STATE": "off"}
    first = start_stack(extra_env=env)
    try:
        bucket = first.client("s3").list_buckets()["Buckets"][0]["Name"]
        first.client("s3").put_object(Bucket=bucket, Key="gone", Body=b"x")
    finally:
        stop_stack(first)
    assert not state_dir.exists()
    second = start_stack(extra_env=env)
    try:
        assert second.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    finally:
        stop_stack(second)


def test_an_unreadable_snapshot_is_set_aside_and_the_stack_starts_empty(state_dir):
    state_dir.mkdir()
    (state_dir / "state.json").write_text("{not json", encoding="utf-8")
    stack = start_stack(extra_env={"LOCAL_STATE_DIR": str(state_dir)})
    try:
        assert stack.outbox() == []
    finally:
        stop_stack(stack)
    assert [p.name for p in state_dir.glob("state.json.unreadable-*")]
    assert json.loads((state_dir / "state.json").read_text(encoding="utf-8"))["version"] == 2
