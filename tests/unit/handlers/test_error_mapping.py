"""Every domain error, mapped at every edge (issue 10): HTTP answers one problem+json body; the queue
consumers retry or finish a record. No AWS, no sockets."""

from __future__ import annotations

import json

import pytest

from adapters.dynamo import StoreError
from adapters.mailer import MailRejected
from adapters.raw_mail import RawMailMissing, RawMailStoreError
from corrigo.errors import (
    BadQuery,
    ConcurrentChange,
    Forbidden,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    OutOfTime,
    RateLimited,
    ServiceUnavailable,
)
from corrigo.lifecycle import Action, Status, TransitionNotAllowed
from corrigo.validation import FieldError
from handlers.problems import InvalidBody, PayloadTooLarge, RouteNotFound, UnsupportedMediaType, problem_for
from handlers.queue_errors import Outcome, each_record, outcome_for

INVALID = InvalidRequest([FieldError("article_url", "稿件链接", "必须填写", "zh")], {}, "zh")

# error → (status, type suffix, Retry-After or None)
HTTP = [
    (INVALID, 400, "invalid-request", None),
    (BadQuery("cursor", "not a cursor this service wrote"), 400, "bad-parameter", None),
    (InvalidBody([("text", "is required")]), 400, "invalid-request", None),
    (Forbidden("the editors group is required"), 403, "forbidden", None),
    (NotFound("CR-2026-ABCDEF"), 404, "not-found", None),
    (RouteNotFound("/nowhere"), 404, "no-route", None),
    (TransitionNotAllowed(Action.RESOLVE, Status.QUEUED), 409, "action-not-allowed", None),
    (ConcurrentChange("moved"), 409, "concurrent-change", None),
    (PayloadTooLarge(70000), 413, "too-large", None),
    (UnsupportedMediaType("text/csv"), 415, "unsupported-media-type", None),
    (IdempotencyKeyReused("k"), 422, "idempotency-key-reused", None),
    (RateLimited("email", 120), 429, "rate-limited", "120"),
    (MailRejected("address refused"), 502, "mail-refused", None),
    (ServiceUnavailable("throttled", retry_after_seconds=7), 503, "unavailable", "7"),
    (StoreError("no such table"), 503, "unavailable", "60"),
    (RawMailStoreError("access denied"), 503, "unavailable", "60"),
    (RawMailMissing("s3://b/k"), 503, "unavailable", "60"),
    (KeyError("a bug"), 500, "internal", None),
]


@pytest.mark.parametrize(("error", "status", "kind", "retry_after"), HTTP, ids=[type(e[0]).__name__ for e in HTTP])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_error_is_one_problem_body(error, status, kind, retry_after, language):
    problem = problem_for(error)
    body = json.loads(json.dumps(problem.body(language), ensure_ascii=False))
    assert problem.status == status and body["status"] == status
    assert body["type"] == f"urn:corrigo:problem:{kind}"
    assert body["title"] and body["detail"] and body["message"] == body["detail"]
    assert body["errors"] and all(set(e) == {"field", "message"} for e in body["errors"])
    assert problem.headers.get("Retry-After") == retry_after


def test_the_language_changes_the_words_not_the_type():
    zh, en = problem_for(NotFound("x")).body("zh"), problem_for(NotFound("x")).body("en")
    assert zh["type"] == en["type"] and zh["title"] != en["title"]
    assert "没有找到" in zh["detail"] and "No such request" in en["detail"]


def test_field_errors_name_their_fields():
    assert problem_for(INVALID).body("zh")["errors"] == [{"field": "article_url", "message": "稿件链接：必须填写"}]
    bad = problem_for(BadQuery("status", "one of queued")).body("en")
    assert bad["errors"] == [{"field": "status", "message": "one of queued"}]
    body = problem_for(InvalidBody([("reply", "is required"), ("public_note", "at most 5000 characters")])).body("en")
    assert body["errors"] == [
        {"field": "reply", "message": "is required"},
        {"field": "public_note", "message": "at most 5000 characters"},
    ]


def test_an_action_not_allowed_names_the_current_status_and_the_allowed_actions():
    body = problem_for(TransitionNotAllowed(Action.RESOLVE, Status.QUEUED)).body("en")
    assert (body["status"], body["action"], body["current_status"]) == (409, "resolve", "queued")
    assert set(body["allowed"]) == {"claim", "merge"}


# ---- the queue edges ------------------------------------------------------------------------------

QUEUE = [
    (ServiceUnavailable("throttled"), Outcome.RETRY),
    (ConcurrentChange("moved"), Outcome.RETRY),
    (RawMailMissing("s3://b/k"), Outcome.RETRY),
    (OutOfTime("900 ms left"), Outcome.RETRY),
    (StoreError("no such table"), Outcome.RETRY_TO_DEAD_LETTERS),
    (RawMailStoreError("access denied"), Outcome.RETRY_TO_DEAD_LETTERS),
    (KeyError("a bug"), Outcome.RETRY_TO_DEAD_LETTERS),
    (MailRejected("address refused"), Outcome.DONE),
    (NotFound("CR-2026-ABCDEF"), Outcome.DONE),
    (TransitionNotAllowed(Action.CLAIM, Status.RESOLVED), Outcome.DONE),
    (INVALID, Outcome.DONE),
]


@pytest.mark.parametrize(("error", "outcome"), QUEUE, ids=[type(e[0]).__name__ for e in QUEUE])
def test_every_error_has_its_outcome_on_a_queue(error, outcome):
    assert outcome_for(error) is outcome

    @each_record
    def handle(record, lambda_context=None):
        raise error

    if outcome is Outcome.DONE:
        assert handle("record") is None
    else:
        with pytest.raises(type(error)):
            handle("record")


def test_the_record_handler_keeps_its_signature_for_powertools():
    import inspect

    @each_record
    def handle(record, lambda_context=None):
        return lambda_context

    assert "lambda_context" in inspect.signature(handle).parameters
    assert handle("record", lambda_context="ctx") == "ctx"
