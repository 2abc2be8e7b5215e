"""Writes to core data (DESIGN.md convention 1): every one audited in its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.core import workdays as workdays_mod
from gongxin.core.audit import audit_record
from gongxin.core.models import WorkdayYear


def _dates(field: str, values: Iterable, year: int) -> list[str]:
    """Sorted, de-duplicated ISO dates, each a real date of ``year``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError({field: _("Enter a list of dates.")})
    days = set()
    for value in values:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}}) from None
        if day.year != year:
            raise ValidationError({field: _("%(day)s is not in %(year)s.") % {"day": day, "year": year}})
        days.add(day)
    return [d.isoformat() for d in sorted(days)]


def workday_year_clean(*, year: int, holidays: Iterable, workdays: Iterable) -> tuple[list[str], list[str]]:
    """Check one year's schedule and return it normalised (sorted ISO dates).

    Every date belongs to ``year``, no date is both a day off and a working day, and the
    adjusted working days (调休) are Saturdays or Sundays: a weekday is a working day anyway.
    Holidays may cover a whole span, weekend included, as the State Council's notice lists it.
    """
    holidays_iso = _dates("holidays", holidays, year)
    workdays_iso = _dates("workdays", workdays, year)
    both = sorted(set(holidays_iso) & set(workdays_iso))
    if both:
        raise ValidationError({"workdays": _("Listed both as a holiday and as a working day: %(days)s.")
                               % {"days": ", ".join(both)}})
    weekdays = [d for d in workdays_iso if dt.date.fromisoformat(d).weekday() < 5]
    if weekdays:
        raise ValidationError({"workdays": _("Adjusted working days must be Saturdays or Sundays: %(days)s.")
                               % {"days": ", ".join(weekdays)}})
    return holidays_iso, workdays_iso


def _snapshot(entry: WorkdayYear) -> dict:
    return {"holidays": entry.holidays, "workdays": entry.workdays, "note": entry.note}


@transaction.atomic
def workday_year_set(*, actor, year: int, holidays: Iterable, workdays: Iterable, note: str = "") -> WorkdayYear:
    """Enter (or replace) the holiday schedule of ``year``: its days off and its 调休 working
    weekend days. From then on the entry overrides chinesecalendar for that whole year and
    deadlines running into it are no longer provisional (core.workdays)."""
    holidays_iso, workdays_iso = workday_year_clean(year=year, holidays=holidays, workdays=workdays)
    entry = WorkdayYear.objects.select_for_update().filter(year=year).first()
    before = _snapshot(entry) if entry else None
    if entry is None:
        entry = WorkdayYear(year=year)
    entry.holidays, entry.workdays, entry.note = holidays_iso, workdays_iso, note
    entry.entered_by = actor if actor is not None and actor.is_authenticated else None
    entry.full_clean(validate_unique=False)
    entry.save()
    audit_record(actor=actor, action="workday_year.set", obj=entry, before=before, after=_snapshot(entry))
    workdays_mod.clear_cache()
    # Deadlines already computed as provisional for this year are recomputed by their owners
    # (registry applications, rectification notices), in this transaction.
    workdays_mod.calendar_changed.send(sender=WorkdayYear, year=entry.year)
    # The save signal cleared this process's cache already; clear it again once committed so a
    # concurrent reader cannot keep the old schedule it read before the commit.
    transaction.on_commit(workdays_mod.clear_cache)
    return entry
