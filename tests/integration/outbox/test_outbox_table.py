"""adapters.outbox_table on the template's OutboxTable: once per id, marked once, the stale index."""

from __future__ import annotations

from adapters.aws import client
from adapters.outbox_table import OutboxTable
from corrigo import outbox
from corrigo.outbox import Delivery


def table(aws) -> OutboxTable:
    return OutboxTable(aws.ref("OutboxTable"))


def put(aws, message_id: str, created_at: str) -> None:
    message = outbox.email(message_id, "CR-2026-AAAAAA", "acknowledgement", created_at)
    client("dynamodb").transact_write_items(TransactItems=[table(aws).put_write(message, 1_900_000_000)])


def test_a_message_reads_back_pending_and_is_marked_delivered_only_once(aws):
    put(aws, "m-1", "2026-12-01T10:00:00.000Z")

    message, state = table(aws).get("m-1")
    first = table(aws).mark("m-1", Delivery.SENT, "2026-12-01T10:00:01.000Z", "mail sent")
    second = table(aws).mark("m-1", Delivery.REFUSED, "2026-12-01T10:00:02.000Z", "late")

    assert (message.reference, message.kind, state) == ("CR-2026-AAAAAA", "acknowledgement", "pending")
    assert (first, second) == (True, False)
    assert table(aws).get("m-1")[1] == "sent"
    assert table(aws).get("m-unknown") is None


def test_only_pending_messages_quiet_since_the_cut_off_are_stale(aws):
    put(aws, "m-old", "2026-12-01T10:00:00.000Z")
    put(aws, "m-retried", "2026-12-01T10:00:00.000Z")
    put(aws, "m-sent", "2026-12-01T10:00:00.000Z")
    put(aws, "m-new", "2026-12-01T10:30:00.000Z")
    attempts = table(aws).note_attempt("m-retried", "SES unavailable", "2026-12-01T10:25:00.000Z")
    table(aws).mark("m-sent", Delivery.SENT, "2026-12-01T10:00:01.000Z")

    stale = table(aws).stale("2026-12-01T10:20:00.000Z")

    assert attempts == 1
    assert stale == ["m-old"]
