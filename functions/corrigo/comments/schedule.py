"""When comments are taken and when they are reviewed: open and closed articles, quiet hours.

Quiet hours (a site-wide parameter, Beijing time, e.g. ``23:00-07:00``) are the desk's night: a
comment submitted then is accepted and waits, and the author is told it will be reviewed from the
end of the quiet hours. An article takes comments unless a moderator closed it, or its
``close_after_days`` have passed since comments opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from corrigo.comments.model import ArticleSettings

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """``23:00-07:00`` (Beijing time; may span midnight); empty or ``off`` for none."""
        value = text.strip().lower()
        if value in ("", "off", "none"):
            return None
        match = _RANGE.match(value)
        if not match:
            raise ValueError(f"quiet hours {text!r}: expected HH:MM-HH:MM (Beijing time), or off")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h1, m1) == (h2, m2):
            raise ValueError(f"quiet hours {text!r}: start and end are the same")
        return cls(time(h1, m1), time(h2, m2))

    def until(self, now: datetime) -> datetime | None:
        """When the quiet hours around ``now`` end (an aware datetime), or None outside them."""
        local = now.astimezone(BEIJING)
        clock = local.time().replace(second=0, microsecond=0)
        spans_midnight = self.start > self.end
        inside = (clock >= self.start or clock < self.end) if spans_midnight else (self.start <= clock < self.end)
        if not inside:
            return None
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end

    def describe(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def is_open(settings: ArticleSettings | None, now: datetime) -> bool:
    """No settings: open. Closed by a moderator, or past ``close_after_days`` since opening: closed."""
    if settings is None:
        return True
    if not settings.open:
        return False
    if settings.close_after_days is not None and settings.opened_at:
        opened = datetime.fromisoformat(settings.opened_at.replace("Z", "+00:00"))
        return now < opened + timedelta(days=settings.close_after_days)
    return True
