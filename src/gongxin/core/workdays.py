"""Working-day arithmetic on the Chinese public-holiday calendar (DESIGN.md convention 8).

Statutory deadlines ("decide within 15 working days of acceptance", 行政许可法 art. 42 and the
registration regulations) count 工作日, not calendar days. A working day is decided, in order:

1. An administrator's ``WorkdayYear`` entry for that year, if there is one: a date in its
   ``holidays`` is a day off, a date in its ``workdays`` (调休, an adjusted working weekend day)
   is a working day, any other date is a working day when it is Monday to Friday. The entry
   replaces the package for the whole year, so an administrator can also correct the package.
2. Otherwise the ``chinesecalendar`` package, which carries every published schedule
   including 调休 weekends.
3. Otherwise the year is *unknown*: Monday to Friday are working days (weekends alone).

Why the fallback: the State Council (国务院办公厅) publishes each year's holiday schedule only in
late autumn of the year before, and the package only knows the years published before its
release (it raises NotImplementedError beyond them). A deadline running into an unknown year is
still computed, on weekends alone, and marked ``provisional`` so the page can say so; once the
schedule is out an administrator enters it (admin "working-day calendar year") without waiting
for a package upgrade.

Hidden cost and its limit: each year's ``WorkdayYear`` row is read once per process and kept in
``_overrides``; saving or deleting a row clears the cache of *this* process (signals, see
core/apps.py). Other worker processes keep the old schedule until they restart, so restart the
workers after entering a year (a rare, yearly event).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

import chinese_calendar
from django.dispatch import Signal

# Sent (with ``year``) when an administrator enters or corrects a year's schedule: modules that
# stored deadlines computed as provisional recompute them.
calendar_changed = Signal()

# The package's range: it knows every year from its first to its last holiday entry.
_PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

_ONE_DAY = dt.timedelta(days=1)

# year -> (days off, adjusted working days) from a WorkdayYear row, or None: no row.
_overrides: dict[int, tuple[frozenset[dt.date], frozenset[dt.date]] | None] = {}


def clear_cache(*args, **kwargs) -> None:
    """Forget the cached WorkdayYear rows (a signal receiver, hence the arguments)."""
    _overrides.clear()


def _override(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]] | None:
    if year not in _overrides:
        from gongxin.core.models import WorkdayYear  # late: importable before apps are ready

        row = WorkdayYear.objects.filter(year=year).values_list("holidays", "workdays").first()
        _overrides[year] = None if row is None else (
            frozenset(dt.date.fromisoformat(d) for d in row[0]),
            frozenset(dt.date.fromisoformat(d) for d in row[1]),
        )
    return _overrides[year]


def year_known(year: int) -> bool:
    """Whether the holidays of ``year`` are known (an administrator's entry or the package)."""
    return year in _PACKAGE_YEARS or _override(year) is not None


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day; in an unknown year, whether it is Monday to Friday."""
    override = _override(day.year)
    if override is not None:
        days_off, working_weekend = override
        if day in days_off:
            return False
        return day in working_weekend or day.weekday() < 5
    if day.year in _PACKAGE_YEARS:
        return _package_is_workday(day)
    return day.weekday() < 5


@functools.lru_cache(maxsize=8192)
def _package_is_workday(day: dt.date) -> bool:
    # The package's answer for a day never changes, and each call validates the date against
    # its whole holiday table (~25 µs): a run counting thousands of deadlines asks it often.
    return chinese_calendar.is_workday(day)


class Deadline(NamedTuple):
    date: dt.date
    # True when a day counted lies in a year whose holidays are not known yet: the date was
    # computed on weekends alone and may move when the schedule is published.
    provisional: bool


def add_workdays(start: dt.date, n: int) -> Deadline:
    """The ``n``-th working day after ``start``; ``start`` itself is not counted.

    "Decide within 15 working days of acceptance" is ``add_workdays(accepted_on, 15)``: the
    day of acceptance does not count and the deadline is always a working day. ``n == 0``
    gives ``start`` itself, not provisional (no day was counted).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day, provisional = start, False
    while n:
        day += _ONE_DAY
        provisional = provisional or not year_known(day.year)
        if is_workday(day):
            n -= 1
    return Deadline(day, provisional)


def _count_workdays(after: dt.date, through: dt.date) -> int:
    """Working days d with after < d <= through (one loop step per calendar day)."""
    count, day = 0, after
    while day < through:
        day += _ONE_DAY
        count += is_workday(day)
    return count


def workdays_left(today: dt.date, deadline: dt.date) -> int:
    """Working days left before ``deadline``, for "N days left / overdue" in worklists.

    - positive: the working days after ``today`` up to and including ``deadline`` (today is
      not counted: on the day before a working-day deadline it is 1);
    - 0: due today (``today == deadline``, or no working day remains before a deadline that is
      not itself a working day);
    - negative: overdue by that many working days, counting those after ``deadline`` up to and
      including ``today``; at least -1 once ``today`` is past the deadline, so a deadline
      missed on Friday shows -1 on the weekend and on Monday, -2 on Tuesday.
    """
    if today <= deadline:
        return _count_workdays(today, deadline)
    return -max(1, _count_workdays(deadline, today))
