"""corrigo.lifecycle.TRANSITIONS against the lifecycle as the product brief describes it ("Lifecycle":
received → screening → queued, quarantined or incomplete → in_review ⇄ awaiting_requester → resolved)
and docs/editors.md (quarantine release and confirm, merge, reopen), written out here by hand: a
change to the table that the product does not describe fails this test."""

from __future__ import annotations

import pytest

from corrigo.lifecycle import TRANSITIONS, Action, Status, TransitionNotAllowed, allowed_actions, next_status

R, Q, H, INC = Status.RECEIVED, Status.QUEUED, Status.QUARANTINED, Status.INCOMPLETE
IR, AW, RES = Status.IN_REVIEW, Status.AWAITING_REQUESTER, Status.RESOLVED

# (from, action): to. Everything not listed is refused.
EXPECTED = {
    # Screening: received → queued, or held (quarantined), or incomplete (mail lacking fields), or
    # resolved at once as a duplicate of an open request.
    (R, Action.SCREEN_PASS): Q,
    (R, Action.SCREEN_QUARANTINE): H,
    (R, Action.MARK_INCOMPLETE): INC,
    (R, Action.SCREEN_DUPLICATE): RES,
    # The requester completes an incomplete request: it is screened again.
    (INC, Action.COMPLETE): R,
    # An editor decides what screening held.
    (H, Action.RELEASE_QUARANTINE): Q,
    (H, Action.CONFIRM_QUARANTINE): RES,
    (H, Action.MERGE): RES,
    (H, Action.REOPEN): Q,
    # Claimed, given back, asked ⇄ answered, decided.
    (Q, Action.CLAIM): IR,
    (IR, Action.RELEASE): Q,
    (IR, Action.ASK): AW,
    (AW, Action.ANSWER): IR,
    (IR, Action.RESOLVE): RES,
    # Merged into another request from any open status.
    (Q, Action.MERGE): RES,
    (IR, Action.MERGE): RES,
    (AW, Action.MERGE): RES,
    # A decision can be reopened.
    (RES, Action.REOPEN): Q,
}
# Recorded in the history with the status unchanged: never a transition.
NOT_TRANSITIONS = {
    Action.SUBMIT,
    Action.NOTE,
    Action.ESCALATE,
    Action.MAIL_RECEIVED,
    Action.UNDELIVERABLE,
    Action.CONFIRM_CONTACT,
    Action.ERASE,
}


def test_every_action_is_either_a_transition_or_a_record():
    transitions = {action for _, action in EXPECTED}
    assert transitions | NOT_TRANSITIONS == set(Action)
    assert not transitions & NOT_TRANSITIONS
    assert set(TRANSITIONS) == transitions


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", sorted({action for _, action in EXPECTED}))
def test_each_move_leads_where_the_product_says_or_is_refused(status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            next_status(status, action)
    else:
        assert next_status(status, action) is expected


@pytest.mark.parametrize("status", list(Status))
def test_the_allowed_actions_of_each_status_are_the_products(status):
    assert set(allowed_actions(status)) == {action for (s, action) in EXPECTED if s is status}


def test_a_resolved_request_can_only_be_reopened():
    assert allowed_actions(Status.RESOLVED) == [Action.REOPEN]
