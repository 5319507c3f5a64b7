"""The time left on each deadline, counted on the server's calendar (Beijing dates, weekends,
holidays), and what the editors' API adds to a case for the page to phrase."""

from __future__ import annotations

from datetime import UTC, date, datetime

from corrigo.lifecycle import Action
from corrigo.model import iso
from corrigo.screening import Finding, ScreeningReport, Verdict
from corrigo.workdays import BEIJING, add_working_days
from web.editor_view import case_view, queue_row
from web.time_left import deadlines_left, time_left


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def test_a_day_and_some_hours_left_on_working_days():
    now = beijing(2026, 12, 1, 12, 0)  # a Tuesday
    assert time_left(iso(beijing(2026, 12, 2, 15, 30)), now) == {
        "working_days": 1,
        "hours": 3,
        "overdue": False,
        "paused": False,
    }


def test_a_weekend_does_not_count():
    friday_noon = beijing(2026, 12, 4, 12, 0)
    monday_three = beijing(2026, 12, 7, 15, 0)
    left = time_left(iso(monday_three), friday_noon)
    assert (left["working_days"], left["hours"]) == (1, 3)  # 12 h on Friday, 15 h on Monday


def test_the_days_are_beijing_days_not_utc_days():
    # 07:00 on Monday in Beijing is 23:00 on Sunday in UTC: the hour is working time all the same.
    monday_seven = beijing(2026, 12, 7, 7, 0)
    left = time_left(iso(beijing(2026, 12, 7, 10, 0)), monday_seven.astimezone(UTC))
    assert (left["working_days"], left["hours"]) == (0, 3)


def test_a_holiday_does_not_count():
    now = beijing(2026, 9, 30, 12, 0)  # Wednesday; 1 October a holiday
    due = beijing(2026, 10, 2, 12, 0)
    assert time_left(iso(due), now)["working_days"] == 2
    assert time_left(iso(due), now, frozenset({date(2026, 10, 1)}))["working_days"] == 1


def test_past_the_deadline_it_says_how_far_past():
    left = time_left(iso(beijing(2026, 12, 2, 10, 0)), beijing(2026, 12, 2, 12, 30))
    assert left == {"working_days": 0, "hours": 2, "overdue": True, "paused": False}


def test_the_count_agrees_with_the_deadline_the_server_set():
    start = beijing(2026, 12, 4, 16, 0)  # Friday
    due = add_working_days(start, 3)
    assert time_left(iso(due), start)["working_days"] == 3


def row(status, **changes):
    base = {
        "status": status,
        "first_response_due": iso(beijing(2026, 12, 3, 9, 0)),
        "decision_due": iso(beijing(2026, 12, 8, 9, 0)),
        "first_response_at": None,
        "paused_at": None,
    }
    return {**base, **changes}


NOW = beijing(2026, 12, 2, 9, 0)


def test_a_queued_request_runs_both_clocks():
    left = deadlines_left(row("queued"), NOW)
    assert left["first_response"]["working_days"] == 1
    assert left["decision"]["working_days"] == 4


def test_the_first_response_clock_stops_once_an_editor_took_it_up():
    assert deadlines_left(row("in_review", first_response_at=iso(NOW)), NOW)["first_response"] is None
    released = row("queued", first_response_at=iso(NOW))
    assert deadlines_left(released, NOW)["first_response"] is None
    assert deadlines_left(released, NOW)["decision"] is not None


def test_the_clock_stands_still_while_the_requester_is_asked():
    asked = row("awaiting_requester", first_response_at=iso(NOW), paused_at=iso(NOW))
    later = beijing(2026, 12, 10, 9, 0)  # past the decision date, but the clock is paused
    left = deadlines_left(asked, later)["decision"]
    assert left == {"working_days": 4, "hours": 0, "overdue": False, "paused": True}


def test_no_clock_runs_out_of_the_open_queue():
    for status in ("resolved", "quarantined", "incomplete", "received"):
        assert deadlines_left(row(status), NOW) == {"first_response": None, "decision": None}


def test_a_queue_row_carries_its_time_left():
    assert queue_row(row("queued"), NOW, frozenset())["time_left"] == deadlines_left(row("queued"), NOW)


def history(*entries):
    return [
        {"at": iso(NOW), "actor": "screening", "status_before": None, "status_after": "queued", **e} for e in entries
    ]


def test_a_case_held_by_screening_says_so_and_leaves_the_words_to_the_report():
    summary = ScreeningReport(Verdict.SUSPECT, 5, (Finding("many_links", 5, "链接", "links"),)).summary("zh")
    case = {
        **row("quarantined"),
        "history": history(
            {"action": "submit", "detail": "web"}, {"action": Action.SCREEN_QUARANTINE.value, "detail": summary}
        ),
    }
    view = case_view(case, NOW, frozenset())
    assert view["quarantine"] == {"reason": "screening", "text": ""}
    assert view["history"][1]["quarantine_reason"] == "screening"
    assert "quarantine_reason" not in view["history"][0]
    assert view["time_left"] == {"first_response": None, "decision": None}


def test_a_quarantined_mail_shows_its_reason_labelled_and_in_its_words():
    reason = "automatic or flagged mail: Auto-Submitted: auto-replied"
    case = {**row("quarantined"), "history": history({"action": "screen_quarantine", "detail": reason})}
    assert case_view(case, NOW, frozenset())["quarantine"] == {"reason": "automatic_mail", "text": reason}


def test_a_request_never_held_has_no_quarantine_reason():
    case = {**row("queued"), "history": history({"action": "screen_pass", "detail": ""})}
    view = case_view(case, NOW, frozenset())
    assert view["quarantine"] is None
    assert view["time_left"]["first_response"] is not None
