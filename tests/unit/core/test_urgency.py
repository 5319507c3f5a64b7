from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.schema import load_schema, request_types
from corrigo.urgency import URGENCY_EXCEPTIONS, default_deadlines, parse_deadlines, urgency_of
from corrigo.workdays import BEIJING, add_working_days, add_working_time, parse_holidays, working_time_between


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


def test_the_request_types_are_the_schemas():
    assert request_types() == tuple(load_schema()["properties"]["request_type"]["enum"])
    assert set(default_deadlines()) == set(request_types())
    assert set(URGENCY_EXCEPTIONS) <= set(request_types())  # a rule for a type the schema dropped is a bug


# ---- The newsroom's calendar is Beijing's -------------------------------------------------------


def test_a_deadline_counts_beijing_dates_across_utc_midnight():
    # Friday 2026-10-02 23:30 UTC is already Saturday 07:30 in Beijing: a weekend day there.
    friday_night_utc = datetime(2026, 10, 2, 23, 30, tzinfo=UTC)
    assert friday_night_utc.astimezone(BEIJING).weekday() == 5
    due = add_working_days(friday_night_utc, 1)
    # One working day on from Saturday in Beijing is Monday in Beijing (Sunday night UTC), not Monday UTC.
    assert due.astimezone(BEIJING) == datetime(2026, 10, 5, 7, 30, tzinfo=BEIJING)
    assert due == datetime(2026, 10, 4, 23, 30, tzinfo=UTC)


def test_a_beijing_holiday_starts_at_beijing_midnight():
    holidays = parse_holidays("2026-10-05")  # a Monday, Beijing's date
    # Friday 17:00 UTC = Saturday 01:00 in Beijing; the next working day is Tuesday in Beijing.
    start = datetime(2026, 10, 2, 17, tzinfo=UTC)
    assert add_working_days(start, 1, holidays).astimezone(BEIJING).date() == date(2026, 10, 6)
    # Sunday 16:00 UTC to 17:00 UTC is Monday 00:00-01:00 in Beijing: the holiday, so no working time.
    assert (
        working_time_between(datetime(2026, 10, 4, 16, tzinfo=UTC), datetime(2026, 10, 4, 17, tzinfo=UTC), holidays)
        == timedelta()
    )
    # ...while Sunday 15:00-16:00 UTC was Sunday 23:00-24:00 in Beijing: not working time either,
    # and Tuesday 00:00 Beijing (Monday 16:00 UTC) is the first working moment.
    resumed = add_working_time(datetime(2026, 10, 3, 12, tzinfo=UTC), timedelta(minutes=1), holidays)
    assert resumed == datetime(2026, 10, 5, 16, 1, tzinfo=UTC)


def _working_time_day_by_day(start: datetime, end: datetime, holidays: frozenset[date]) -> timedelta:
    """The definition, one Beijing day at a time: what working_time_between must equal."""
    total, moment = timedelta(), start
    while moment < end:
        local = moment.astimezone(BEIJING)
        following = local.date() + timedelta(days=1)
        stop = min(datetime(following.year, following.month, following.day, tzinfo=BEIJING), end)
        if local.weekday() < 5 and local.date() not in holidays:
            total += stop - moment
        moment = stop
    return total


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    length=st.timedeltas(min_value=timedelta(), max_value=timedelta(days=400)),
    holidays=st.frozensets(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 2, 1)), max_size=20),
)
def test_working_time_between_counts_whole_weeks_as_the_day_by_day_definition_does(start, length, holidays):
    end = start + length
    assert working_time_between(start, end, holidays) == _working_time_day_by_day(start, end, holidays)
    assert working_time_between(end, start, holidays) == timedelta()
