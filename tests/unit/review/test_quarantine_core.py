"""The pure rules of the quarantine view: spam hidden unless asked, release and confirm."""

from datetime import UTC, datetime

import pytest

from corrigo import review, review_queue
from corrigo import spam as spam_rules
from corrigo.errors import BadQuery
from corrigo.lifecycle import Action, Status, TransitionNotAllowed
from handlers import editor_request
from tests.unit.review.test_review_core import ALICE, request

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
SPAM_REPORT = {"verdict": "spam", "score": 10, "findings": [{"rule": "honeypot", "score": 10, "zh": "", "en": ""}]}
SUSPECT_REPORT = {
    "verdict": "suspect",
    "score": 3,
    "findings": [{"rule": "disposable", "score": 3, "zh": "", "en": ""}],
}


def test_spam_is_hidden_unless_asked():
    spam = request(Status.QUARANTINED, flags=("honeypot", "spam"), screening=SPAM_REPORT)
    flt = editor_request.queue_filter(status="quarantined")
    assert not review_queue.matches(spam, flt, editor_id=ALICE.id, now=NOW)
    flt = editor_request.queue_filter(status="quarantined", include_spam="true")
    assert review_queue.matches(spam, flt, editor_id=ALICE.id, now=NOW)
    with pytest.raises(BadQuery):
        editor_request.queue_filter(include_spam="sometimes")


def test_release_drops_the_spam_flag_and_records_the_editor():
    spam = request(Status.QUARANTINED, flags=("honeypot", "spam"), screening=SPAM_REPORT)
    after, event = review.release_quarantine(spam, ALICE, NOW, "a real reader")
    assert after.status is Status.QUEUED and after.flags == ("honeypot",)
    assert after.screening == SPAM_REPORT  # the report stays for the record
    assert (event.action, event.actor, event.status_before, event.detail) == (
        Action.RELEASE_QUARANTINE,
        ALICE.id,
        Status.QUARANTINED,
        "a real reader",
    )
    assert spam_rules.is_bot(spam) and not spam_rules.acknowledged(spam)


def test_confirm_rejects():
    suspect = request(Status.QUARANTINED, screening=SUSPECT_REPORT)
    assert not spam_rules.is_bot(suspect) and spam_rules.acknowledged(suspect)
    after, event = review.confirm_quarantine(suspect, ALICE, NOW)
    assert (after.status, after.outcome, event.action) == (Status.RESOLVED, "rejected", Action.CONFIRM_QUARANTINE)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.QUARANTINED])
def test_only_a_quarantined_request_is_released_or_confirmed(status):
    for decide in (review.release_quarantine, review.confirm_quarantine):
        with pytest.raises(TransitionNotAllowed):
            decide(request(status), ALICE, NOW)
