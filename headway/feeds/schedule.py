"""When a source runs next: every N minutes, daily at HH:MM, or monthly on day D at HH:MM.

Times of day are in the organization's time zone. After a failed sync the next run is
pushed back exponentially instead (``retry_at``), whatever the schedule says.
"""

from __future__ import annotations

import datetime as dt

from headway.feeds.models import Source

RETRY_BASE = dt.timedelta(minutes=5)
RETRY_CAP = dt.timedelta(hours=6)


def next_run(source: Source, after: dt.datetime) -> dt.datetime:
    """The first scheduled run strictly after ``after``."""
    if source.schedule == Source.Schedule.INTERVAL:
        return after + dt.timedelta(minutes=max(1, source.interval_minutes))
    tz = source.organization.tz
    local = after.astimezone(tz)
    if source.schedule == Source.Schedule.DAILY:
        candidate = dt.datetime.combine(local.date(), source.time_of_day, tzinfo=tz)
        if candidate <= local:
            candidate = dt.datetime.combine(
                local.date() + dt.timedelta(days=1), source.time_of_day, tzinfo=tz
            )
        return candidate
    day = min(max(1, source.day_of_month), 28)
    year, month = local.year, local.month
    for _ in range(2):
        candidate = dt.datetime.combine(dt.date(year, month, day), source.time_of_day, tzinfo=tz)
        if candidate > local:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return candidate


def retry_at(failures: int, now: dt.datetime) -> dt.datetime:
    """Back-off after the ``failures``-th consecutive failure: 5 min, 10, 20, … up to 6 h."""
    delay: dt.timedelta = min(RETRY_BASE * 2 ** max(0, failures - 1), RETRY_CAP)
    return now + delay
