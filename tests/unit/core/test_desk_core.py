"""The desk's pure rules (issue 11): reply templates' placeholders, bulk requests, the timeline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corrigo.bulk import MAX_BULK, BulkAction, check_action, check_references
from corrigo.errors import BadQuery
from corrigo.lifecycle import Action, AuditEvent, Status
from corrigo.model import CorrectionRequest
from corrigo.reply_templates import check_template, new_template, render, values_for
from corrigo.review import Note
from corrigo.timeline import timeline


@pytest.fixture
def request_factory():
    def make(**fields: str) -> CorrectionRequest:
        return CorrectionRequest(
            reference="CR-2026-ABC234",
            status=Status.QUEUED,
            fields={"request_type": "correction", "article_url": "https://news.example.cn/a/1", **fields},
            language="zh",
            channel="web",
            created_at="2026-11-20T02:00:00.000Z",
            updated_at="2026-11-20T02:00:00.000Z",
            urgency=3,
            first_response_due="2026-11-23T02:00:00.000Z",
            decision_due="2026-11-27T02:00:00.000Z",
            status_token="t",
        )

    return make


def test_a_template_fills_the_request_fields_in(request_factory):
    request = request_factory(article_title="Bridge story", requester_name="王伟")
    text = render("{requester_name}：《{article_title}》（{reference}）", values_for(request))
    assert text == f"王伟：《Bridge story》（{request.reference}）"


def test_a_field_that_looks_like_a_placeholder_is_never_expanded(request_factory):
    request = request_factory(article_title="{reference} {{requester_name}}", requester_name="{article_title}")
    text = render("{article_title} / {requester_name}", values_for(request))
    assert text == "{reference} {{requester_name}} / {article_title}"


def test_the_submission_date_is_a_beijing_date(request_factory):
    # 2026-11-20 17:30 UTC is already the 21st in Beijing.
    request = replace(request_factory(), created_at="2026-11-20T17:30:00.000Z", language="zh")
    assert values_for(request)["submitted_on"] == "2026年11月21日"
    assert values_for(replace(request, language="en"))["submitted_on"] == "2026-11-21"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Dear {name}", "unknown placeholder {name}"),
        ("Dear {requester_name", "a { or } that does not enclose a placeholder"),
        ("closing } brace", "a { or } that does not enclose a placeholder"),
        ("   ", "is required"),
        ("x" * 5001, "at most 5000 characters"),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(text, says):
    with pytest.raises(BadQuery) as refused:
        check_template("en", text)
    assert refused.value.parameter == "en"
    assert says in refused.value.message


def test_a_template_is_kept_for_a_known_outcome_only():
    saved = new_template(
        "rejected", "您好 {requester_name}", "Dear {requester_name}", "admin@x", "2026-12-01T00:00:00Z"
    )
    assert (saved.outcome, saved.text("en")) == ("rejected", "Dear {requester_name}")
    with pytest.raises(BadQuery) as refused:
        new_template("approved", "a", "b", "admin@x", "t")
    assert refused.value.parameter == "outcome"


def test_bulk_references_are_checked_and_deduplicated():
    assert check_references(["cr-2026-abc234", "CR-2026-ABC234", "CR-2026-XYZ789"]) == [
        "CR-2026-ABC234",
        "CR-2026-XYZ789",
    ]
    for bad in ([], "CR-2026-ABC234", [1], [f"CR-2026-{i:06d}" for i in range(MAX_BULK + 1)]):
        with pytest.raises(BadQuery) as refused:
            check_references(bad)
        assert refused.value.parameter == "references"
    assert check_action("reject") is BulkAction.REJECT
    with pytest.raises(BadQuery) as refused:
        check_action("approve")
    assert refused.value.parameter == "action"


def test_history_and_notes_are_one_timeline_by_time():
    claim = AuditEvent("2026-12-01T02:00:00.000Z", Action.CLAIM, "ed@x", Status.QUEUED, Status.IN_REVIEW, "")
    note_event = AuditEvent("2026-12-01T03:00:00.000Z", Action.NOTE, "ed@x", Status.IN_REVIEW, Status.IN_REVIEW, "")
    ask = AuditEvent("2026-12-01T04:00:00.000Z", Action.ASK, "ed@x", Status.IN_REVIEW, Status.AWAITING_REQUESTER, "?")
    note = Note("CR-2026-ABC234", "2026-12-01T03:00:00.000Z", "ed@x", "Called the desk.")

    entries = timeline([ask, claim, note_event], [note])

    assert [(e["kind"], e["action"]) for e in entries] == [("event", "claim"), ("note", "note"), ("event", "ask")]
    assert entries[1]["text"] == "Called the desk."
