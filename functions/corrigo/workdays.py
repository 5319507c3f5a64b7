"""The newsroom's working-day calendar, the one every deadline counts on.

The newsroom is in Beijing: a day is a Beijing date (UTC+8), weekends and the configured holidays
(Beijing dates) are off. Timestamps stay in UTC everywhere else; only which day a moment falls on
is read here, so a request sent at 07:00 on a Monday in Beijing (23:00 on Sunday, UTC) is on a
working day, and a holiday begins at Beijing's midnight, not at UTC's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# China has kept UTC+8 without daylight saving since 1991: a fixed offset needs no tz database.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
NO_HOLIDAYS: frozenset[date] = frozenset()


def beijing_date(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


def is_working_day(day: date, holidays: frozenset[date] = NO_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def _next_midnight(moment: datetime) -> datetime:
    """Beijing's next midnight after ``moment``, in ``moment``'s own time zone."""
    local = moment.astimezone(BEIJING)
    day = local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(moment.tzinfo)


def add_working_days(start: datetime, days: int, holidays: frozenset[date] = NO_HOLIDAYS) -> datetime:
    """The same time of day, ``days`` working days (Beijing dates) later."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if is_working_day(beijing_date(moment), holidays):
            remaining -= 1
    return moment


def working_days_from(first: date, stop: date, holidays: frozenset[date] = NO_HOLIDAYS) -> int:
    """Working days among the dates ``first`` up to, not including, ``stop``: whole weeks counted at once,
    so a deadline months overdue costs what one a day overdue does."""
    days = (stop - first).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    count = 5 * weeks + sum(1 for n in range(rest) if (first + timedelta(days=n)).weekday() < 5)
    return count - sum(1 for day in holidays if first <= day < stop and day.weekday() < 5)


def working_time_between(start: datetime, end: datetime, holidays: frozenset[date] = NO_HOLIDAYS) -> timedelta:
    """How much of [start, end) fell on working days: what a pause cost the deadline clock."""
    if end <= start:
        return timedelta()
    first_day, last_day = beijing_date(start), beijing_date(end)
    if first_day == last_day:
        return end - start if is_working_day(first_day, holidays) else timedelta()
    total = timedelta()
    if is_working_day(first_day, holidays):
        total += _next_midnight(start) - start
    if is_working_day(last_day, holidays):
        total += end - datetime(last_day.year, last_day.month, last_day.day, tzinfo=BEIJING)
    # Beijing keeps no daylight saving: every day between is 24 hours.
    return total + timedelta(days=working_days_from(first_day + timedelta(days=1), last_day, holidays))


def add_working_time(start: datetime, amount: timedelta, holidays: frozenset[date] = NO_HOLIDAYS) -> datetime:
    """``start`` moved on by ``amount`` of working time, skipping weekends and holidays."""
    moment, remaining = start, amount
    while remaining > timedelta():
        next_midnight = _next_midnight(moment)
        if not is_working_day(beijing_date(moment), holidays):
            moment = next_midnight
            continue
        step = min(next_midnight - moment, remaining)
        moment += step
        remaining -= step
    return moment


def parse_time(stamp: str) -> datetime:
    """A stored timestamp (ISO 8601, `Z` for UTC) as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def parse_holidays(text: str) -> frozenset[date]:
    """``YYYY-MM-DD,…``: Beijing dates that deadlines skip."""
    try:
        return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"holidays must be YYYY-MM-DD dates separated by commas: {exc}") from exc
