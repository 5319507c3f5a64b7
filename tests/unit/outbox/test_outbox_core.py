"""corrigo.outbox: the message as stored, and the retry schedule."""

import pytest

from corrigo import outbox
from corrigo.outbox import Channel, Delivery


def test_a_message_survives_the_round_trip_through_its_item():
    message = outbox.email("m-1", "CR-2026-AAAAAA", "question", "2026-12-01T10:00:00.000Z", "q1", message="为什么？")
    item = outbox.to_item(message, expires_at=1_800_000_000)

    assert item["delivery"] == Delivery.PENDING.value
    assert item["attempts"] == 0
    assert item["expires_at"] == 1_800_000_000
    assert outbox.from_item(item) == message
    assert message.channel is Channel.EMAIL


def test_an_event_carries_its_detail_type_and_detail():
    message = outbox.event("m-2", "CR-1", "CorrectionResolved", "2026-12-01T10:00:00.000Z", {"outcome": "corrected"})
    assert (message.channel, message.kind, dict(message.payload)) == (
        Channel.EVENT,
        "CorrectionResolved",
        {"outcome": "corrected"},
    )


def test_retries_back_off_to_one_a_minute_and_give_up_after_max_attempts():
    delays = [outbox.retry_delay(attempt) for attempt in range(1, 8)]
    assert delays == [5, 10, 20, 40, 60, 60, 60]
    assert outbox.retry_delay(10_000) == outbox.MAX_RETRY_SECONDS
    assert not outbox.gives_up(outbox.MAX_ATTEMPTS - 1)
    assert outbox.gives_up(outbox.MAX_ATTEMPTS)
    # The whole schedule before the dead-letter queue: about an hour, as the alarm's text says.
    total = sum(outbox.retry_delay(attempt) for attempt in range(1, outbox.MAX_ATTEMPTS))
    assert 50 * 60 <= total <= 70 * 60
    with pytest.raises(ValueError, match="start at 1"):
        outbox.retry_delay(0)
