"""`make redrive`: dead letters go back to their source queue, none lost, --dry-run moves nothing."""

import boto3

from infra import redrive
from infra.local.template import load_template
from tests.support.aws import ROOT


def test_every_queue_with_a_dead_letter_queue_is_paired():
    pairs = redrive.redrive_pairs(load_template(ROOT / "template.yaml"))
    assert redrive.Pair("IntakeQueue", "IntakeDeadLetterQueue") in pairs


def test_dry_run_counts_and_redrive_moves_every_message(aws, capsys, monkeypatch):
    sqs = aws.clients("sqs")
    dlq, source = aws.ref("IntakeDeadLetterQueue"), aws.ref("IntakeQueue")
    for i in range(23):
        sqs.send_message(QueueUrl=dlq, MessageBody=f'{{"reference": "CR-2026-AAAA{i:02d}"}}')

    # The local stack's naming: the fixture built the queues the way `make run` does.
    session = boto3.session.Session()
    assert (
        redrive.main(
            ["--dry-run", "--endpoint-url", "http://unused", "--queue", "IntakeQueue"], session=_Local(session)
        )
        == 0
    )
    assert "23 message(s) would be moved" in capsys.readouterr().out
    assert redrive.waiting(sqs, dlq) == 23

    assert redrive.main(["--endpoint-url", "http://unused", "--queue", "IntakeQueue"], session=_Local(session)) == 0
    assert "moved 23 message(s)" in capsys.readouterr().out
    assert redrive.waiting(sqs, dlq) == 0
    bodies = set()
    while batch := sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            bodies.add(message["Body"])
            sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
    assert len(bodies) == 23


class _Local:
    """A session whose clients ignore the endpoint (moto's mock_aws intercepts in-process)."""

    def __init__(self, session):
        self.session = session

    def client(self, name, **_):
        return self.session.client(name, region_name="us-east-1")
