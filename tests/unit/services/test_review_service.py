"""The editors' decisions: each change and the mail and events it promises are one write."""

from __future__ import annotations

import pytest

from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Outcome, Status, TransitionNotAllowed
from corrigo.review import Editor
from corrigo.spam import HONEYPOT_FLAG
from services.review import ReviewService, ReviewSettings
from tests.support.fakes import FakeQueue

EDITOR = Editor("editor-1")
EDITORS = ("desk@news.example.cn", "chief@news.example.cn")


@pytest.fixture
def service(store, ids, clock, settings):
    review_settings = ReviewSettings(settings.public_base_url, EDITORS, settings.deadlines.holidays)
    return ReviewService(review_settings, store, store.links, ids, clock)


def kinds(call):
    return [(m.channel.value, m.kind) for m in call.outbox]


def test_ask_promises_the_question_in_the_write_that_pauses_the_request(service, store, stored):
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)

    service.ask(request.reference, EDITOR, "Which paragraph?")

    [call] = store.calls
    assert (call.name, kinds(call)) == ("save_move", [("email", "question")])
    [question] = call.outbox
    assert question.reference == request.reference
    assert question.payload == {"message": "Which paragraph?"}
    assert question.occasion == store.get(request.reference).paused_at
    assert store.get(request.reference).status is Status.AWAITING_REQUESTER


def test_a_refused_change_promises_nothing(service, store, stored):
    request = stored(Status.QUEUED)

    with pytest.raises(TransitionNotAllowed):
        service.ask(request.reference, EDITOR, "Which paragraph?")
    with pytest.raises(TransitionNotAllowed):
        service.resolve(request.reference, EDITOR, "corrected", "Fixed.", "")

    assert store.calls == []
    assert store.get(request.reference) == request


def test_a_concurrent_change_stores_neither_the_change_nor_its_mail(service, store, stored):
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)
    store.fail_next_write = ConcurrentChange("moved meanwhile")

    with pytest.raises(ConcurrentChange):
        service.ask(request.reference, EDITOR, "Which paragraph?")

    assert store.outbox == []
    assert store.get(request.reference).status is Status.IN_REVIEW


def test_resolve_promises_the_outcome_and_the_cms_event_in_its_own_write(service, store, stored):
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)

    service.resolve(request.reference, EDITOR, "corrected", "  We fixed the date.  ", "Date corrected.")

    [call] = store.calls
    assert kinds(call) == [("email", "outcome"), ("event", "CorrectionResolved")]
    outcome, resolved = call.outbox
    decided = store.get(request.reference)
    assert outcome.occasion == f"corrected@{decided.updated_at}"
    assert outcome.payload == {"reply": "We fixed the date.", "outcome_label": "已更正"}
    assert resolved.payload == {
        "reference": request.reference,
        "article_url": request.fields["article_url"],
        "outcome": "corrected",
        "public_note": "Date corrected.",
        "resolved_at": decided.updated_at,
    }
    assert len({m.id for m in call.outbox}) == 2


def test_a_repeated_resolve_answers_as_before_and_promises_nothing_again(service, store, stored):
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)
    service.resolve(request.reference, EDITOR, "corrected", "Fixed.", "")

    again = service.resolve(request.reference, EDITOR, "corrected", "Fixed.", "")

    assert again["repeated"] is True
    assert len(store.calls) == 1


def test_resolve_tells_each_linked_requester_except_spam_in_the_same_write(service, store, stored, clock):
    primary = stored(Status.IN_REVIEW, assignee=EDITOR.id)
    person = stored(Status.RESOLVED, outcome=Outcome.MERGED.value, merged_into=primary.reference, language="en")
    bot = stored(Status.RESOLVED, outcome=Outcome.MERGED.value, merged_into=primary.reference)
    store.links.links[primary.reference] = [
        {"reference": person.reference, "verdict": "pass"},
        {"reference": bot.reference, "verdict": "spam"},
    ]

    service.resolve(primary.reference, EDITOR, "updated", "Updated.", "Paragraph 3 rewritten.")

    [call] = store.calls
    assert kinds(call) == [("email", "outcome"), ("event", "CorrectionResolved"), ("email", "outcome")]
    told = call.outbox[2]
    assert told.reference == person.reference
    assert told.occasion == call.outbox[0].occasion  # the primary's decision, once per requester
    assert told.payload["outcome_label"] == "Updated"
    assert told.payload["public_note"] == "Paragraph 3 rewritten."


def test_merge_promises_the_outcome_and_the_event(service, store, stored):
    target = stored(Status.QUEUED)
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)

    service.merge(request.reference, EDITOR, target.reference)

    [call] = store.calls
    assert kinds(call) == [("email", "outcome"), ("event", "CorrectionResolved")]
    assert call.outbox[1].payload["outcome"] == "merged"
    assert target.reference in call.outbox[0].payload["reply"]


def test_claim_release_reopen_and_notes_promise_nothing(service, store, stored):
    request = stored(Status.QUEUED)

    service.claim(request.reference, EDITOR)
    service.note(request.reference, EDITOR, "Checking with the desk.")
    service.release(request.reference, EDITOR)

    assert [call.name for call in store.calls] == ["claim", "add_note", "save_move"]
    assert store.outbox == []


def test_releasing_a_bot_from_quarantine_promises_the_acknowledgement_it_was_denied(service, store, stored):
    bot = stored(Status.QUARANTINED, flags=(HONEYPOT_FLAG,))
    person = stored(Status.QUARANTINED, screening={"verdict": "suspect"})

    service.release_quarantine(bot.reference, EDITOR, "a real person")
    service.release_quarantine(person.reference, EDITOR, "checked")

    assert [kinds(call) for call in store.calls] == [[("email", "acknowledgement")], []]


def test_confirming_quarantine_tells_a_person_the_outcome_and_a_bot_nothing(service, store, stored):
    bot = stored(Status.QUARANTINED, flags=(HONEYPOT_FLAG,))
    person = stored(Status.QUARANTINED, screening={"verdict": "suspect"})

    service.confirm_quarantine(bot.reference, EDITOR)
    service.confirm_quarantine(person.reference, EDITOR)

    assert [kinds(call) for call in store.calls] == [[], [("email", "outcome")]]
    assert store.calls[1].outbox[0].occasion.startswith("rejected@")


def test_an_answer_promises_one_email_per_editor_with_the_move(service, store, stored):
    request = stored(Status.AWAITING_REQUESTER, paused_at="2026-11-20T02:00:00.000Z")

    service.answer(request.reference, "The third paragraph.", "web", request.status_token)

    [call] = store.calls
    assert [m.payload["to"] for m in call.outbox] == list(EDITORS)
    assert {m.kind for m in call.outbox} == {"answer_received"}
    assert store.get(request.reference).status is Status.IN_REVIEW


def test_an_answer_to_an_editor_with_an_address_goes_to_that_editor_only(service, store, stored):
    request = stored(Status.AWAITING_REQUESTER, assignee="kim@news.example.cn")

    service.answer(request.reference, "Here.", "email", check_token=False)

    assert [m.payload["to"] for m in store.outbox] == ["kim@news.example.cn"]


def test_the_sweep_promises_one_escalation_per_editor_per_breach_with_its_mark(service, store, stored, clock):
    overdue = stored(Status.QUEUED, assignee="kim@news.example.cn", first_response_due="2026-11-19T02:00:00.000Z")
    queue = FakeQueue()

    assert service.sweep(queue) == {"escalated": 1, "requeued": 0}
    [call] = store.calls
    assert call.name == "record_escalation"
    assert sorted(m.payload["to"] for m in call.outbox) == sorted([*EDITORS, "kim@news.example.cn"])
    assert store.get(overdue.reference).escalated

    assert service.sweep(queue) == {"escalated": 0, "requeued": 0}  # each breach escalated once
    assert len(store.calls) == 1


def test_a_sweep_that_loses_the_race_promises_nothing(service, store, stored):
    stored(Status.QUEUED, first_response_due="2026-11-19T02:00:00.000Z")
    store.fail_next_write = ConcurrentChange("an editor moved it")

    assert service.sweep()["escalated"] == 0
    assert store.outbox == []


def test_the_sweep_requeues_requests_whose_intake_message_was_lost(service, store, stored, clock):
    lost = stored(Status.RECEIVED)
    clock.advance(minutes=11)
    queue = FakeQueue()

    assert service.sweep(queue)["requeued"] == 1
    assert queue.sent == [{"reference": lost.reference}]


def test_the_case_reads_the_history_notes_and_linked_requesters(service, store, stored):
    request = stored(Status.QUEUED)
    service.note(request.reference, EDITOR, "A note.")
    store.links.links[request.reference] = [{"reference": "CR-2026-BBBBBB", "requester_name": "Li"}]

    case = service.case(request.reference)

    assert [n["text"] for n in case["notes"]] == ["A note."]
    assert [e["action"] for e in case["history"]] == ["submit", "note"]
    assert case["linked_requesters"][0]["reference"] == "CR-2026-BBBBBB"
