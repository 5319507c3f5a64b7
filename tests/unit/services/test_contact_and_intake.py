"""Address confirmation and the public intake, on fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corrigo.contact import Contact
from corrigo.errors import IdempotencyKeyReused, InvalidRequest, NotFound, RateLimited
from corrigo.lifecycle import Action, Status
from corrigo.mail_origin import MailOrigin
from services.contact import ContactService
from services.intake import IntakeService
from tests.support.fakes import FakeQueue


@pytest.fixture
def contacts(settings, store, ids, clock):
    return ContactService(settings, store, ids, clock)


def token_of(request) -> str:
    contact = Contact.from_source(request.source)
    assert contact is not None
    return contact.token


def test_confirming_an_address_records_it_and_promises_the_held_back_acknowledgement(contacts, store, stored):
    request = stored(Status.QUEUED)

    confirmed = contacts.confirm(request.reference, token_of(request))

    [call] = store.calls
    assert [m.kind for m in call.outbox] == ["acknowledgement"]
    assert Contact.from_source(confirmed.source).is_confirmed(request.requester_email)
    assert confirmed.version == request.version + 1
    assert store.history(request.reference).events[-1].action is Action.CONFIRM_CONTACT


def test_confirming_twice_writes_and_promises_nothing_more(contacts, store, stored):
    request = stored(Status.QUEUED)
    contacts.confirm(request.reference, token_of(request))

    contacts.confirm(request.reference, token_of(request))

    assert len(store.calls) == 1


def test_a_request_not_yet_screened_is_left_to_the_worker(contacts, store, stored):
    request = stored(Status.RECEIVED)

    contacts.confirm(request.reference, token_of(request))

    assert store.outbox == []


def test_an_incomplete_mailed_request_gets_the_incomplete_notice_for_its_mail(contacts, store, stored):
    origin = MailOrigin(bucket="raw", key="inbound/abc")
    request = stored(Status.INCOMPLETE, channel="email")
    request = store.add(replace(request, source={**request.source, "mail": origin.as_dict()}))

    contacts.confirm(request.reference, token_of(request))

    [notice] = store.outbox
    assert (notice.kind, notice.occasion) == ("incomplete", "object:raw/inbound/abc")
    assert notice.payload["form_urls"]["en"] == "https://corrigo.test/?lang=en"


def test_a_wrong_token_is_not_found_and_changes_nothing(contacts, store, stored):
    request = stored(Status.QUEUED)

    with pytest.raises(NotFound):
        contacts.confirm(request.reference, "not-the-token")
    assert store.calls == []


@pytest.fixture
def intake(settings, store, clock):
    queue = FakeQueue()
    return IntakeService(settings, store, queue, clock), queue


def test_a_valid_submission_is_stored_received_and_queued(intake, store, valid_fields):
    service, queue = intake

    accepted = service.submit(valid_fields, channel="api", language="zh")

    assert store.get(accepted.reference).status is Status.RECEIVED
    assert queue.sent == [{"reference": accepted.reference}]
    assert store.outbox == []  # the acknowledgement is the worker's, after screening


def test_a_retry_with_the_same_key_gets_the_first_answer(intake, store, valid_fields):
    service, _ = intake
    first = service.submit(valid_fields, channel="api", language="zh", idempotency_key="k-1")

    again = service.submit(valid_fields, channel="api", language="zh", idempotency_key="k-1")

    assert (again.reference, again.status_token) == (first.reference, first.status_token)
    assert len(store.requests) == 1
    other = {**valid_fields, "article_title": "另一篇文章"}
    with pytest.raises(IdempotencyKeyReused):
        service.submit(other, channel="api", language="zh", idempotency_key="k-1")


def test_the_rate_limit_refuses_in_the_same_write(intake, store, valid_fields):
    service, _ = intake
    for _ in range(2):
        service.submit(valid_fields, channel="api", language="zh")

    with pytest.raises(RateLimited):
        service.submit(valid_fields, channel="api", language="zh")
    assert len(store.requests) == 2


def test_an_invalid_submission_names_its_fields_and_stores_nothing(intake, store):
    service, _ = intake

    with pytest.raises(InvalidRequest) as refused:
        service.submit({"article_url": "not a url"}, channel="api", language="en")
    assert "article_url" in {e.field for e in refused.value.errors}
    assert store.calls == []


def test_the_status_shows_only_public_events(intake, store, stored, clock):
    service, _ = intake
    request = stored(Status.QUEUED)

    shown, events = service.status(request.reference, request.status_token)

    assert shown == request
    assert [e.action for e in events] == [Action.SUBMIT]
    with pytest.raises(NotFound):
        service.status(request.reference, "wrong")
