"""The editors' desk on fakes (issue 11): bulk actions each in its own write, saved reply templates
that override the file default, and related requests."""

from __future__ import annotations

import pytest

from corrigo.errors import BadQuery, ConcurrentChange, Forbidden
from corrigo.lifecycle import Action, Outcome, Status
from corrigo.review import Editor
from services.desk import DeskService
from services.review import ReviewService, ReviewSettings
from tests.support.fakes import FakeDesk

EDITOR = Editor("editor@news.example.cn", frozenset({"editors"}))
OTHER = Editor("other@news.example.cn", frozenset({"editors"}))
ADMIN = Editor("chief@news.example.cn", frozenset({"editors", "admins"}))


@pytest.fixture
def desk(store):
    return FakeDesk(store)


@pytest.fixture
def review_service(store, desk, ids, clock, settings):
    review_settings = ReviewSettings(settings.public_base_url, ("desk@news.example.cn",), settings.deadlines.holidays)
    return ReviewService(review_settings, store, store.links, ids, clock, desk)


@pytest.fixture
def service(review_service, store, desk, clock):
    return DeskService(review_service, store, desk, clock)


def outcome_emails(store):
    return [m for m in store.outbox if m.kind == "outcome"]


def test_bulk_reject_writes_each_request_with_its_outcome_email_in_its_own_write(service, store, stored):
    queued = stored(Status.QUEUED)
    held = stored(Status.IN_REVIEW, assignee=EDITOR.id)
    answered = service.bulk("reject", [queued.reference, held.reference], EDITOR)

    assert (answered["succeeded"], answered["failed"]) == (2, 0)
    assert [call.reference for call in store.calls] == [queued.reference, held.reference]
    for call in store.calls:
        assert [m.kind for m in call.outbox if m.channel.value == "email"] == ["outcome"]
        assert store.get(call.reference).outcome == Outcome.REJECTED.value
    # A queued request is claimed and rejected in one write: both steps in its history.
    actions = [e.action for e in store.events[queued.reference]]
    assert actions[-2:] == [Action.CLAIM, Action.RESOLVE]
    assert store.calls[0].name == "save_moves"


def test_one_refusal_leaves_the_others_done_and_says_why(service, store, stored):
    mine = stored(Status.QUEUED)
    theirs = stored(Status.IN_REVIEW, assignee=OTHER.id)
    done = stored(Status.RESOLVED, outcome="corrected")

    answered = service.bulk("reject", [mine.reference, theirs.reference, done.reference, "CR-2026-ABC234", "x"], EDITOR)

    by_reference = {item["reference"]: item for item in answered["items"]}
    assert by_reference[mine.reference] == {
        "reference": mine.reference,
        "ok": True,
        "status": "resolved",
        "refusal": None,
    }
    assert by_reference[theirs.reference]["refusal"] == "held_by_other"
    assert by_reference[done.reference]["refusal"] == "not_allowed"
    assert by_reference[done.reference]["status"] == "resolved"
    assert by_reference["CR-2026-ABC234"]["refusal"] == "not_found"
    assert by_reference["X"]["refusal"] == "not_a_reference"
    assert len(outcome_emails(store)) == 1
    assert store.get(theirs.reference).status is Status.IN_REVIEW


def test_a_concurrent_change_refuses_that_request_only(service, store, stored):
    first, second = stored(Status.QUEUED), stored(Status.QUEUED)
    store.fail_next_write = ConcurrentChange("moved")

    answered = service.bulk("claim", [first.reference, second.reference], EDITOR)

    assert [item["refusal"] for item in answered["items"]] == ["changed_meanwhile", None]
    assert store.get(second.reference).assignee == EDITOR.id


def test_bulk_claim_and_release(service, store, stored):
    requests = [stored(Status.QUEUED) for _ in range(3)]
    references = [r.reference for r in requests]

    assert service.bulk("claim", references, EDITOR)["succeeded"] == 3
    assert {store.get(r).status for r in references} == {Status.IN_REVIEW}
    assert service.bulk("release", references, OTHER)["failed"] == 3
    assert service.bulk("release", references, EDITOR)["succeeded"] == 3
    assert {store.get(r).status for r in references} == {Status.QUEUED}
    assert store.outbox == []


def test_a_bulk_reply_is_filled_in_per_request_and_checked(service, store, stored):
    request = stored(Status.QUEUED)
    service.bulk("reject", [request.reference], EDITOR, "《{article_title}》（{reference}）不予修改。")

    [told] = outcome_emails(store)
    assert told.payload["reply"] == f"《{request.fields['article_title']}》（{request.reference}）不予修改。"
    with pytest.raises(BadQuery) as refused:
        service.bulk("reject", [request.reference], EDITOR, "Dear {name}")
    assert refused.value.parameter == "reply"
    with pytest.raises(BadQuery) as refused:
        service.bulk("claim", [request.reference], EDITOR, "text")
    assert refused.value.parameter == "reply"


def test_a_saved_template_overrides_the_file_default(service, review_service, store, stored):
    request = stored(Status.IN_REVIEW, assignee=EDITOR.id)
    default = review_service.reply_template(request.reference, "rejected", "zh")["text"]
    assert request.fields["article_title"] in default  # the file's default, filled in

    service.save_template(
        "rejected", {"zh": "您好，{requester_name}：{reference} 不予修改。", "en": "No: {reference}"}, ADMIN
    )

    shown = review_service.reply_template(request.reference, "rejected", "zh")["text"]
    assert shown == f"您好，{request.fields['requester_name']}：{request.reference} 不予修改。"
    assert review_service.reply_template(request.reference, "rejected", "en")["text"] == f"No: {request.reference}"
    assert service.template("rejected")["saved"] is True
    # Bulk rejection without a reply uses it too.
    service.bulk("reject", [request.reference], EDITOR)
    [told] = outcome_emails(store)
    assert told.payload["reply"] == shown


def test_only_admins_save_templates_and_placeholders_are_checked(service):
    with pytest.raises(Forbidden):
        service.save_template("rejected", {"zh": "a", "en": "b"}, EDITOR)
    with pytest.raises(BadQuery) as refused:
        service.save_template("rejected", {"zh": "好 {reference}", "en": "Hi {nmae}"}, ADMIN)
    assert refused.value.parameter == "en"
    with pytest.raises(BadQuery) as refused:
        service.save_template("rejected", {"en": "Hi"}, ADMIN)
    assert refused.value.parameter == "zh"


def test_the_default_template_is_shown_with_placeholders(service):
    shown = service.template("corrected")
    assert shown["saved"] is False
    assert "{article_title}" in shown["zh"] and "{article_title}" in shown["en"]


def test_related_lists_the_requesters_and_the_articles_other_requests(service, stored):
    first = stored(Status.RESOLVED, outcome="rejected")
    second = stored(Status.QUEUED)
    stranger = stored(Status.QUEUED, fields={**second.fields, "requester_email": "someone@else.cn"})

    related = service.related(second.reference)

    assert [r["reference"] for r in related["requester"]] == [first.reference]
    assert {r["reference"] for r in related["article"]} == {first.reference, stranger.reference}
