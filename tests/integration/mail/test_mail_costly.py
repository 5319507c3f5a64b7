"""Bounded work per mail, through the mail-intake handler on moto: a hostile mail ends in a defined
state, in its own time, and never fails the mail delivered beside it."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from adapters.mail_markers import MailMarkers
from corrigo.lifecycle import Status
from tests.support.events import ses_received_notification, sns_envelope, sqs_event
from tests.support.hostile_mail import mail_with, million_empty_paragraphs, pathological_line_mail
from tests.support.mail_forms import gbk_form_mail


@pytest.fixture
def deliver_batch(aws, table):
    """Several mails in one SQS batch, as a larger BatchSize would hand them to one invocation."""
    from handlers import mail_intake

    bucket = aws.ref("RawMailBucket")

    def deliver(raws: list[bytes]) -> tuple[dict, list[str | None]]:
        keys = [f"inbound/{uuid.uuid4().hex}" for _ in raws]
        for key, raw in zip(keys, raws, strict=True):
            aws.clients("s3").put_object(Bucket=bucket, Key=key, Body=raw)
        bodies = [sns_envelope(ses_received_notification(bucket=bucket, key=key)) for key in keys]
        answer = mail_intake.handler(
            sqs_event(bodies, queue_arn=aws.resources["MailIntakeQueue"].attributes["Arn"]),
            aws.context("MailIntakeFunction"),
        )
        seen = [MailMarkers(table.db).seen([f"object:{bucket}/{key}"]) for key in keys]
        return answer, [s.reference if s else None for s in seen]

    return deliver


def test_hostile_mails_beside_an_ordinary_one_fail_nothing(deliver_batch, table):
    answer, references = deliver_batch(
        [mail_with(million_empty_paragraphs()), pathological_line_mail(), gbk_form_mail("ww@example.org")]
    )

    assert answer == {"batchItemFailures": []}
    bomb, line, ordinary = (table.get(reference) for reference in references)
    assert ordinary.status is Status.RECEIVED
    assert bomb.status in (Status.INCOMPLETE, Status.QUARANTINED)
    assert any("申请表.docx not read: " in note for note in bomb.source["mail"]["notes"])
    assert bomb.source["attachments"][0]["filename"] == "申请表.docx"  # kept as evidence all the same
    assert line.fields["requester_name"].startswith("张三")


def test_a_mail_over_its_time_budget_is_quarantined_as_too_costly(aws, deliver, table, monkeypatch):
    from handlers import mail_intake

    service = mail_intake.service()
    mail = service.desk.mail
    monkeypatch.setattr(service.desk, "mail", replace(mail, limits=replace(mail.limits, read_budget_seconds=0)))

    delivery = deliver(gbk_form_mail("ww@example.org"))

    assert delivery.answer == {"batchItemFailures": []}
    request = table.get(delivery.reference)
    assert request.status is Status.QUARANTINED
    assert request.source["mail"]["quarantine_reason"].startswith("too costly to read: ")
    assert request.fields["requester_email"] == "ww@example.org"  # what was read is kept


def test_the_invocation_s_time_left_bounds_the_budget(aws, deliver, table, monkeypatch):
    """Less time left in the invocation than the budget (a larger batch): the time left wins."""
    from handlers import mail_intake

    monkeypatch.setattr(mail_intake, "RESERVED_SECONDS", 10_000)

    delivery = deliver(gbk_form_mail("ww@example.org"))

    assert table.get(delivery.reference).source["mail"]["quarantine_reason"].startswith("too costly to read: ")
