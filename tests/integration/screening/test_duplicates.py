"""Duplicates: one item for editors, every requester acknowledged once and told the outcome."""

import json
from dataclasses import replace

from adapters.duplicate_links import DuplicateLinks
from corrigo.lifecycle import Status
from tests.integration.screening.conftest import reference_of
from tests.support.contact import confirm_address
from tests.support.events import http_event, sqs_event


def _submit(aws, document, ip, *, confirm=True):
    """POST a request; its requester then confirms their address (issue 9), so that what these tests
    follow (acknowledgements, outcomes) is mailed in full."""
    from handlers import api

    event = http_event(
        "POST", "/requests", body=json.dumps(document, ensure_ascii=False), headers={"content-type": "application/json"}
    )
    event["requestContext"]["http"]["sourceIp"] = ip
    response = api.handler(event, aws.context("ApiFunction"))
    if confirm and response["statusCode"] == 202:
        confirm_address(aws, reference_of(response))
    return response


def test_near_identical_requests_from_different_people_become_one_item(
    screening_on, aws, valid_request, drain_intake_queue, table, sent_mail
):
    first = reference_of(_submit(aws, valid_request, "198.51.100.1"))
    second = reference_of(
        _submit(aws, {**valid_request, "requester_email": "lisi@example.com", "requester_name": "李四"}, "198.51.100.2")
    )
    # Not the same text: one more word and different punctuation still overlap.
    near = {
        **valid_request,
        "original_text": "运动会共有 300 名选手参加,  场面热烈",
        "requester_email": "wangwu@example.com",
        "language": "en",
    }
    third = reference_of(_submit(aws, near, "198.51.100.3"))
    drain_intake_queue()

    assert table.get(first).status is Status.QUEUED
    for other in (second, third):
        request = table.get(other)
        assert (request.status, request.outcome, request.merged_into) == (Status.RESOLVED, "merged", first)
        _, events, _ = table.history(other)
        assert events[-1].action.value == "screen_duplicate" and events[-1].actor == "screening"

    from services.duplicates import linked_requesters

    linked = linked_requesters(DuplicateLinks(table), first)
    assert [(r["reference"], r["requester_email"]) for r in linked] == sorted(
        [(second, "lisi@example.com"), (third, "wangwu@example.com")]
    )
    mails = sent_mail()
    assert sorted(m["To"] for m in mails) == ["lisi@example.com", "wangwu@example.com", "zhangsan@example.com"]
    english = next(m for m in mails if m["To"] == "wangwu@example.com")
    assert first in english.get_body(("plain",)).get_content()


def test_each_linked_requester_is_promised_the_outcome_once(
    screening_on, aws, valid_request, drain_intake_queue, table
):
    from corrigo.model import utc_now
    from services.duplicates import outcomes_for_linked
    from services.promises import Promises

    first = reference_of(_submit(aws, valid_request, "198.51.100.1"))
    second = reference_of(_submit(aws, {**valid_request, "requester_email": "lisi@example.com"}, "198.51.100.2"))
    drain_intake_queue()
    primary = replace(table.get(first), status=Status.RESOLVED, outcome="corrected", public_note="已更正人数")
    promises = Promises(lambda: "message-1", utc_now)

    [told] = outcomes_for_linked(
        table, DuplicateLinks(table), promises, primary, "已按公告更正。", "2026-11-26T10:00:00.000Z"
    )

    assert (told.reference, told.kind, told.occasion) == (second, "outcome", "corrected@2026-11-26T10:00:00.000Z")
    assert told.payload["reply"] == "已按公告更正。" and told.payload["public_note"] == "已更正人数"


def test_different_passages_of_the_same_article_stay_apart(screening_on, aws, valid_request, drain_intake_queue, table):
    a = reference_of(_submit(aws, valid_request, "198.51.100.1"))
    other = {
        **valid_request,
        "original_text": "比赛于周六上午九点在市体育中心开幕。",
        "requester_email": "b@example.com",
    }
    b = reference_of(_submit(aws, other, "198.51.100.2"))
    drain_intake_queue()
    assert table.get(a).status is Status.QUEUED and table.get(b).status is Status.QUEUED


def test_a_redelivered_duplicate_is_linked_and_acknowledged_once(
    screening_on, aws, valid_request, drain_intake_queue, table, sent_mail
):
    from handlers import intake_worker

    reference_of(_submit(aws, valid_request, "198.51.100.1"))
    second = reference_of(_submit(aws, {**valid_request, "requester_email": "lisi@example.com"}, "198.51.100.2"))
    drain_intake_queue()
    intake_worker.handler(sqs_event([json.dumps({"reference": second})]), aws.context("IntakeWorkerFunction"))

    assert len(sent_mail()) == 2
    assert len(DuplicateLinks(table).linked(table.get(second).merged_into)) == 1


def test_500_identical_spam_submissions_leave_at_most_one_item_and_send_nothing(
    screening_on, aws, valid_request, drain_intake_queue, table, sent_mail, monkeypatch
):
    # moto deep-copies the whole table before every transaction (to roll back a cancelled one), which
    # makes 1,000 transactions over a growing table take minutes. No transaction here is meant to be
    # cancelled, so the copy is skipped; the assertions below would show any half-written one.
    import copy
    import types

    import moto.dynamodb.models as moto_dynamodb

    def deepcopy(value, memo=None):
        return value if isinstance(value, moto_dynamodb.Table) else copy.deepcopy(value, memo)

    monkeypatch.setattr(moto_dynamodb, "copy", types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy))
    screening_on("off")  # 500 different senders from 500 addresses: the limits are not what stops them
    spam = {
        **valid_request,
        "reason": "代开发票，加微信 https://a.example https://b.example https://c.example https://d.example",
    }
    for i in range(500):
        bot = {**spam, "requester_email": f"bot{i}@example.com"}
        response = _submit(aws, bot, f"10.0.{i // 250}.{i % 250}", confirm=False)
        assert response["statusCode"] == 202
    drain_intake_queue()

    # The editors' counts leave spam out; the table holds it, in the queue index's spam partitions.
    assert set(table.count_by_status(list(Status)).values()) == {0}
    assert len(table.open_requests((Status.RESOLVED,))) == 499
    assert table.open_requests((Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER)) == []
    [held] = table.open_requests((Status.QUARANTINED,))
    assert "spam" in held.flags
    assert len(DuplicateLinks(table).linked(held.reference)) == 499
    assert sent_mail() == []
