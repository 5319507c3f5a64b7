"""The intake worker: screening's move and the acknowledgement it owes are one write."""

from __future__ import annotations

from datetime import timedelta

import pytest

from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Action, Status
from corrigo.screening import ScreeningReport, Verdict
from corrigo.spam import HONEYPOT_FLAG
from services.duplicates import Duplicates
from services.promises import Promises
from services.queueing import IntakeWorker


class Verdicts:
    """A screener that answers the verdict a test chose."""

    def __init__(self, verdict: Verdict = Verdict.PASS) -> None:
        self.verdict = verdict

    def screen(self, request):
        return ScreeningReport(self.verdict, 0 if self.verdict is Verdict.PASS else 9)


@pytest.fixture
def worker(store, ids, clock):
    def make(verdict: Verdict = Verdict.PASS, window: timedelta = timedelta(0)) -> IntakeWorker:
        promises = Promises(ids, clock)
        duplicates = Duplicates(store, store.links, promises, window, clock)
        return IntakeWorker(store, promises, clock, Verdicts(verdict), duplicates)  # type: ignore[arg-type]

    return make


def test_a_passed_request_is_queued_with_its_acknowledgement_in_the_same_write(worker, store, stored):
    request = stored(Status.RECEIVED)

    worker().process(request.reference)

    [call] = store.calls
    assert call.name == "save_move"
    assert [m.kind for m in call.outbox] == ["acknowledgement"]
    assert store.get(request.reference).status is Status.QUEUED


def test_a_suspect_request_is_held_and_still_acknowledged(worker, store, stored):
    request = stored(Status.RECEIVED)

    worker(Verdict.SUSPECT).process(request.reference)

    assert store.get(request.reference).status is Status.QUARANTINED
    assert [m.kind for m in store.outbox] == ["acknowledgement"]


@pytest.mark.parametrize(("flags", "verdict"), [((), Verdict.SPAM), ((HONEYPOT_FLAG,), Verdict.PASS)])
def test_a_bot_is_screened_and_promised_nothing(worker, store, stored, flags, verdict):
    request = stored(Status.RECEIVED, flags=flags)

    worker(verdict).process(request.reference)

    assert len(store.calls) == 1
    assert store.outbox == []


def test_a_redelivered_message_writes_and_promises_nothing_more(worker, store, stored):
    request = stored(Status.RECEIVED)
    worker().process(request.reference)

    worker().process(request.reference)

    assert len(store.calls) == 1
    assert len(store.outbox) == 1


def test_losing_the_race_to_another_delivery_promises_nothing(worker, store, stored):
    request = stored(Status.RECEIVED)
    store.fail_next_write = ConcurrentChange("the other delivery screened it")

    assert worker().process(request.reference) == request
    assert store.outbox == []


def test_an_unknown_reference_is_dropped(worker, store):
    assert worker().process("CR-2026-ZZZZZZ") is None
    assert store.calls == []


def test_a_duplicate_is_linked_and_told_it_joined_the_primary_in_one_write(worker, store, stored, clock):
    primary = stored(Status.QUEUED, screening={"verdict": "pass"})
    clock.advance(minutes=5)
    duplicate = stored(Status.RECEIVED)

    worker(window=timedelta(hours=72)).process(duplicate.reference)

    [call] = store.calls
    assert call.name == "save_duplicate"
    [told] = call.outbox
    assert (told.kind, told.payload) == ("acknowledgement_linked", {"primary": primary.reference})
    linked = store.get(duplicate.reference)
    assert (linked.status, linked.merged_into) == (Status.RESOLVED, primary.reference)
    assert store.history(duplicate.reference).events[-1].action is Action.SCREEN_DUPLICATE
    assert [link["reference"] for link in store.links.linked(primary.reference)] == [duplicate.reference]
