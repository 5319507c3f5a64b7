"""The review queue's rules, pure: no AWS, no sockets."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from corrigo import deadlines, review, review_queue, workdays
from corrigo.errors import BadQuery, Forbidden
from corrigo.lifecycle import TRANSITIONS, Action, Status, TransitionNotAllowed, allowed_actions, next_status
from corrigo.model import CorrectionRequest, iso
from handlers import editor_request

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ALICE = review.Editor("alice@news.example.cn", frozenset({"editors"}))
BOB = review.Editor("bob@news.example.cn", frozenset({"editors"}))
ADMIN = review.Editor("root@news.example.cn", frozenset({"editors", "admins"}))


def request(status: Status = Status.QUEUED, **changes) -> CorrectionRequest:
    base = CorrectionRequest(
        reference="CR-2025-ABCDEF",
        status=status,
        fields={
            "request_type": "correction",
            "article_title": "某市运动会",
            "article_url": "https://news.example.cn/a/1",
            "requester_name": "张三",
        },
        language="zh",
        channel="web",
        created_at=iso(MONDAY),
        updated_at=iso(MONDAY),
        urgency=2,
        first_response_due=iso(MONDAY + timedelta(days=2)),
        decision_due=iso(MONDAY + timedelta(days=7)),
        status_token="t",
    )
    return replace(base, **changes)


# ---- lifecycle: every (status, action) pair --------------------------------------------------

TRANSITION_ACTIONS = list(TRANSITIONS)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", TRANSITION_ACTIONS)
def test_every_status_action_pair(status, action):
    sources, target = TRANSITIONS[action]
    if status in sources:
        assert next_status(status, action) is target
        assert action in allowed_actions(status)
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            next_status(status, action)
        assert caught.value.allowed == allowed_actions(status)
        assert action not in caught.value.allowed


@pytest.mark.parametrize("before", list(Status))
@pytest.mark.parametrize("after", list(Status))
def test_every_status_pair_is_reachable_only_through_its_actions(before, after):
    leading = [a for a, (sources, target) in TRANSITIONS.items() if before in sources and target is after]
    for action in leading:
        moved, event = request(before).move(action, actor="x", at=MONDAY)
        assert (moved.status, event.status_before, event.status_after) == (after, before, after)
    for action in set(TRANSITION_ACTIONS) - set(leading):
        try:
            moved, _ = request(before).move(action, actor="x", at=MONDAY)
        except TransitionNotAllowed:
            continue
        assert moved.status is not after


# ---- identity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [["editors", "admins"], "[editors admins]", '["editors","admins"]', "editors,admins"])
def test_groups_in_every_shape_they_arrive(value):
    assert editor_request.parse_groups(value) == {"editors", "admins"}


def test_editor_from_claims():
    editor = editor_request.editor_from_claims({"cognito:groups": "[editors]", "cognito:username": "a@b.cn"})
    assert editor.id == "a@b.cn" and not editor.is_admin
    for claims in (
        None,
        {},
        {"cognito:groups": "[admins]", "email": "a@b.cn"},
        {"cognito:groups": "[editorsx]", "email": "a@b.cn"},
    ):
        with pytest.raises(Forbidden):
            editor_request.editor_from_claims(claims)


# ---- the deadline clock -------------------------------------------------------------------------


def test_working_time_skips_weekends_and_holidays():
    friday_noon = datetime(2025, 3, 7, 12, tzinfo=UTC)
    monday_noon = datetime(2025, 3, 10, 12, tzinfo=UTC)
    assert workdays.working_time_between(friday_noon, monday_noon) == timedelta(hours=24)
    # Friday 12:00 UTC is 20:00 in Beijing: four working hours that Friday, and none on Monday (a holiday).
    assert workdays.working_time_between(friday_noon, monday_noon, frozenset({date(2025, 3, 10)})) == timedelta(hours=4)
    assert workdays.add_working_time(friday_noon, timedelta(hours=24)) == monday_noon
    assert workdays.add_working_time(friday_noon, timedelta()) == friday_noon


def test_ask_pauses_and_answer_moves_deadlines_by_the_working_time_paused():
    held = request(Status.IN_REVIEW, assignee=ALICE.id)
    asked, event = review.ask(held, ALICE, "请补充材料", MONDAY)
    assert asked.paused_at == iso(MONDAY) and event.detail == "请补充材料"
    # asked Monday 09:00, answered the next Monday 09:00: five working days paused
    answered, event = review.answer(asked, "材料如下", "web", MONDAY + timedelta(days=7))
    assert answered.status is Status.IN_REVIEW and answered.paused_at is None
    assert answered.decision_due == iso(workdays.add_working_time(MONDAY + timedelta(days=7), timedelta(days=5)))
    assert event.actor == "requester:web" and event.detail == "材料如下"


def test_answer_without_a_question_is_not_allowed():
    with pytest.raises(TransitionNotAllowed):
        review.answer(request(Status.IN_REVIEW), "x", "web", MONDAY)


# ---- overdue and escalation ---------------------------------------------------------------------


def test_overdue_by_deadline_and_status():
    late = MONDAY + timedelta(days=3)
    assert [b.kind for b in deadlines.breaches(request(), late)] == ["first_response"]
    assert [b.kind for b in deadlines.breaches(request(), MONDAY + timedelta(days=8))] == ["first_response", "decision"]
    claimed = request(Status.IN_REVIEW, first_response_at=iso(MONDAY))
    assert deadlines.breaches(claimed, late) == []
    assert deadlines.breaches(request(Status.AWAITING_REQUESTER), MONDAY + timedelta(days=30)) == []  # clock paused
    assert deadlines.breaches(request(Status.RESOLVED), MONDAY + timedelta(days=30)) == []
    assert not deadlines.is_overdue(request(), MONDAY)


def test_escalation_once_per_breach_and_again_after_new_due():
    late = MONDAY + timedelta(days=3)
    found = deadlines.to_escalate(request(), late)
    marked, event = deadlines.mark_escalated(request(), found, late)
    assert event.action is Action.ESCALATE and event.status_before is event.status_after
    assert deadlines.to_escalate(marked, late + timedelta(hours=1)) == []
    moved = replace(marked, first_response_due=iso(MONDAY + timedelta(days=4)))
    assert deadlines.to_escalate(moved, MONDAY + timedelta(days=5)) != []


# ---- decisions ----------------------------------------------------------------------------------


def test_claim_release_and_the_holder_rule():
    claimed, event = review.claim(request(), ALICE, MONDAY)
    assert claimed.assignee == ALICE.id and claimed.first_response_at == iso(MONDAY) and event.actor == ALICE.id
    with pytest.raises(TransitionNotAllowed) as caught:
        review.claim(claimed, BOB, MONDAY)
    assert [a.value for a in caught.value.allowed] == ["release", "ask", "resolve", "merge"]
    with pytest.raises(Forbidden):
        review.release(claimed, BOB, MONDAY)
    with pytest.raises(Forbidden):
        review.resolve(claimed, BOB, "rejected", "no", "", MONDAY)
    released, _ = review.release(claimed, ADMIN, MONDAY)
    assert released.status is Status.QUEUED and released.assignee is None


@pytest.mark.parametrize("outcome", [o.value for o in review.RESOLVABLE_OUTCOMES])
def test_resolve_with_every_outcome(outcome):
    held = request(Status.IN_REVIEW, assignee=ALICE.id)
    resolved, event = review.resolve(held, ALICE, outcome, "回复", "公开说明", MONDAY)
    assert (resolved.status, resolved.outcome, resolved.public_note) == (Status.RESOLVED, outcome, "公开说明")
    assert event.detail == outcome


@pytest.mark.parametrize(("outcome", "reply"), [("merged", "x"), ("nonsense", "x"), ("corrected", "  ")])
def test_resolve_refuses(outcome, reply):
    with pytest.raises(BadQuery):
        review.resolve(request(Status.IN_REVIEW, assignee=ALICE.id), ALICE, outcome, reply, "", MONDAY)


def test_merge_and_reopen():
    target = request(reference="CR-2025-ZZZZZZ")
    merged, event = review.merge(request(), target, ALICE, MONDAY)
    assert (merged.outcome, merged.merged_into, event.detail) == ("merged", target.reference, target.reference)
    with pytest.raises(BadQuery):
        review.merge(request(), request(), ALICE, MONDAY)
    with pytest.raises(BadQuery):
        review.merge(request(), merged, ALICE, MONDAY)
    reopened, _ = review.reopen(merged, BOB, MONDAY, "不是重复")
    assert (reopened.status, reopened.outcome, reopened.merged_into, reopened.assignee) == (
        Status.QUEUED,
        None,
        None,
        None,
    )


def test_a_note_leaves_the_status_alone():
    added, event = review.note(request(), ALICE, "电话核实", MONDAY)
    assert (added.text, added.author) == ("电话核实", ALICE.id)
    assert event.status_before is event.status_after is Status.QUEUED and not event.public
    with pytest.raises(BadQuery):
        review.note(request(), ALICE, " ", MONDAY)


# ---- queue filters and cursors ------------------------------------------------------------------


def test_queue_filter_defaults_and_errors():
    default = editor_request.queue_filter()
    assert default.statuses == (Status.QUEUED, Status.IN_REVIEW, Status.AWAITING_REQUESTER)
    assert Status.QUARANTINED not in default.statuses
    assert editor_request.queue_filter(status="quarantined").statuses == (Status.QUARANTINED,)
    flt = editor_request.queue_filter(
        request_type="removal", urgency="1", overdue="true", mine="1", q=" 张 ", limit="10"
    )
    assert (flt.request_type, flt.urgency, flt.overdue, flt.mine, flt.q, flt.limit) == (
        "removal",
        1,
        True,
        True,
        "张",
        10,
    )
    for kwargs, name in [
        ({"status": "x"}, "status"),
        ({"request_type": "x"}, "type"),
        ({"urgency": "4"}, "urgency"),
        ({"limit": "0"}, "limit"),
        ({"overdue": "maybe"}, "overdue"),
    ]:
        with pytest.raises(BadQuery) as caught:
            editor_request.queue_filter(**kwargs)
        assert caught.value.parameter == name


def test_matches():
    now = MONDAY
    mine = request(Status.IN_REVIEW, assignee=ALICE.id)
    assert review_queue.matches(mine, editor_request.queue_filter(mine=True), editor_id=ALICE.id, now=now)
    assert not review_queue.matches(mine, editor_request.queue_filter(mine=True), editor_id=BOB.id, now=now)
    assert review_queue.matches(request(), editor_request.queue_filter(q="运动会"), editor_id="", now=now)
    assert review_queue.matches(request(), editor_request.queue_filter(q="cr-2025-abcdef"), editor_id="", now=now)
    assert not review_queue.matches(request(), editor_request.queue_filter(q="无关"), editor_id="", now=now)
    assert not review_queue.matches(request(), editor_request.queue_filter(urgency="1"), editor_id="", now=now)
    assert review_queue.matches(
        request(), editor_request.queue_filter(overdue="true"), editor_id="", now=now + timedelta(days=3)
    )
    assert not review_queue.matches(request(Status.QUARANTINED), editor_request.queue_filter(), editor_id="", now=now)


def test_cursor_round_trip_and_tampering():
    cursor = review_queue.QueueCursor(
        {"queued": "2#2025-03-05T09:00:00.000Z#CR-2025-ABCDEF", "in_review": None}, frozenset({"awaiting_requester"})
    )
    assert editor_request.decode_cursor(editor_request.encode_cursor(cursor)) == cursor
    assert editor_request.decode_cursor(None) == review_queue.QueueCursor()
    import base64
    import json

    for payload in (
        "not base64!",
        base64.urlsafe_b64encode(b"[]").decode(),
        base64.urlsafe_b64encode(json.dumps({"v": 1, "a": {"queued": "x' OR 1"}, "d": []}).encode()).decode(),
    ):
        with pytest.raises(BadQuery):
            editor_request.decode_cursor(payload)


def _pages(partitions, limit, cursor):
    """Simulate the adapter over in-memory partitions: items after the cursor position, up to limit."""
    pages = []
    for status, orders in partitions.items():
        if status in cursor.done:
            continue
        after = cursor.after.get(status)
        rest = [o for o in sorted(orders) if after is None or o > after]
        pages.append(
            review_queue.PartitionPage(
                status,
                [(o, request(reference=o.rsplit("#", 1)[1])) for o in rest[:limit]],
                exhausted=len(rest) <= limit,
            )
        )
    return review_queue.merge_pages(pages, limit, cursor)


def test_merge_pages_walks_every_item_once_in_queue_order():
    def order(u, n):
        return f"{u}#2025-03-0{n}T00:00:00.000Z#CR-2025-{chr(65 + n) * 6}"

    partitions = {
        "queued": [order(1, 1), order(2, 3), order(3, 5)],
        "in_review": [order(1, 2), order(2, 4)],
        "awaiting_requester": [],
    }
    seen, cursor = [], review_queue.QueueCursor()
    for _ in range(10):
        items, next_cursor = _pages(partitions, 2, cursor)
        seen += [r.reference for r in items]
        if next_cursor is None:
            break
        # through the token a client hands back, as the editors' API does
        cursor = editor_request.decode_cursor(editor_request.encode_cursor(next_cursor))
    expected = [o.rsplit("#", 1)[1] for o in sorted(partitions["queued"] + partitions["in_review"])]
    assert seen == expected
