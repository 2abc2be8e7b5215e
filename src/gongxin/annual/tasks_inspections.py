"""Background work of random inspections, run by the task worker (`gongxin db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from gongxin.annual.inspections import rectifications_mark_overdue


@task()
def rectifications_overdue_nightly(today: str = "") -> int:
    """The nightly rule: open rectification notices past their due day become overdue, each
    with its supervision fact (abnormal-list ground 3). ``today`` (ISO date) defaults to the
    current day in Asia/Shanghai; a rerun on the same day changes nothing. Returns the number
    of notices marked."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return rectifications_mark_overdue(day)
