"""The local stack's snapshot (infra/local/persistence.py) is written entry by entry: saving holds
about one entry in memory, not copies of all the data moto holds, and the files say what was there."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.persistence import Persistence
from tests.support.snapshot import client, in_process_moto, log_lines, saver_in

ITEMS = 1_500
BODY = "更正请求正文 correction text " * 60  # ~2 KB a request, as the service's items weigh


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with in_process_moto(monkeypatch):
        yield


@pytest.fixture
def saver(tmp_path: Path) -> Iterator[Persistence]:
    saver = saver_in(tmp_path)
    yield saver
    saver.close()


def fill() -> None:
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="requests",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for index in range(ITEMS):
        item = {"pk": {"S": f"REQ#{index}"}, "sk": {"S": "REQUEST"}, "body": {"S": BODY}, "n": {"N": str(index)}}
        dynamodb.put_item(TableName="requests", Item=item)


def test_the_snapshot_holds_every_item_message_email_and_object(moto: None, saver: Persistence) -> None:
    fill()
    sqs, ses, s3 = client("sqs"), client("ses"), client("s3")
    queue = sqs.create_queue(QueueName="intake")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody='{"reference": "CR-2026-7K3F9Q"}')
    ses.verify_email_identity(EmailAddress="noreply@news.example.cn")
    ses.send_raw_email(
        RawMessage={"Data": b"From: noreply@news.example.cn\nTo: a@example.cn\nSubject: s\n\n\xe6\xad\xa3"}
    )
    s3.create_bucket(Bucket="raw-mail")
    s3.put_object(Bucket="raw-mail", Key="inbound/1", Body=b"raw")

    saver.restore()  # nothing saved yet: the log starts with everything there is
    snapshot = json.loads(saver.state_file.read_text("utf-8"))
    entries = log_lines(saver)
    items = [entry["item"] for entry in entries if entry.get("put") == "requests"]

    assert snapshot["version"] == 2
    assert snapshot["log"] == {"name": saver.log_file.name, "bytes": saver.log_file.stat().st_size}  # type: ignore[union-attr]
    assert len(items) == ITEMS
    assert {item["pk"]["S"] for item in items} == {f"REQ#{i}" for i in range(ITEMS)}
    assert items[0]["body"] == {"S": BODY}
    assert [message["body"] for message in snapshot["sqs"]["intake"]] == ['{"reference": "CR-2026-7K3F9Q"}']
    assert snapshot["ses_sent_count"] == 1
    assert [entry["sent"]["type"] for entry in entries if "sent" in entry] == ["RawMessage"]
    assert [entry["key"] for entry in snapshot["s3"]["raw-mail"]] == ["inbound/1"]
    assert not list(saver.state_dir.glob(".state.json.*.tmp")), "the temporary file was renamed into place"


def test_saving_holds_a_few_entries_in_memory_not_the_whole_snapshot(moto: None, saver: Persistence) -> None:
    fill()
    saver.restore()  # builds the S3 client (botocore's service model weighs megabytes)
    for index in range(ITEMS):  # every item changed: the next save logs each again
        client("dynamodb").put_item(
            TableName="requests", Item={"pk": {"S": f"REQ#{index}"}, "sk": {"S": "REQUEST"}, "body": {"S": BODY + "!"}}
        )
    start = saver.log_file.stat().st_size  # type: ignore[union-attr]

    tracemalloc.start()
    try:
        saver.save()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    size = saver.log_file.stat().st_size - start  # type: ignore[union-attr]
    assert size > 3_000_000  # the data is there
    # Building the snapshot whole peaked at ~4x its size (dicts, encoded dicts, the text, its bytes);
    # written entry by entry, the peak is the file's write buffer (1 MiB) and a few entries.
    assert peak < 1_500_000 < size / 2, f"peak {peak:,} bytes for a snapshot of {size:,}"
