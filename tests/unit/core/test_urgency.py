from datetime import UTC, date, datetime

import pytest

from corrigo.urgency import add_working_days, parse_deadlines, parse_holidays, urgency_of


def test_removal_and_copyright_come_first_then_corrections():
    assert (
        urgency_of("removal")
        == urgency_of("copyright")
        < urgency_of("correction")
        < urgency_of("update")
        == urgency_of("other")
    )


def test_working_days_skip_weekends_and_holidays():
    friday = datetime(2026, 10, 2, 9, tzinfo=UTC)
    assert add_working_days(friday, 1).date() == date(2026, 10, 5)
    holidays = parse_holidays("2026-10-05, 2026-10-06")
    assert add_working_days(friday, 1, holidays).date() == date(2026, 10, 7)


def test_deadlines_are_configurable_per_type():
    deadlines = parse_deadlines("removal=2/4")
    start = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
    assert deadlines.first_response_due("removal", start).date() == date(2026, 11, 4)
    assert deadlines.decision_due("removal", start).date() == date(2026, 11, 6)
    assert deadlines.first_response_due("correction", start).date() == date(2026, 11, 4)


@pytest.mark.parametrize("text", ["removal=1", "nonsense=1/2", "removal=a/b"])
def test_unreadable_deadlines_are_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="type=first/decision"):
        parse_deadlines(text)
