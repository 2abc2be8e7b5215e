"""Background work of the dormancy scan, run by the task worker (`gongxin db_worker`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone
from django_tasks import task

from gongxin.annual.dormancy import dormancy_scan


@task()
def dormancy_scan_nightly(today: str = "", region_prefix: str = "") -> dict:
    """The nightly rule: record every active organization meeting a dormancy ground
    (民发〔2021〕63号). ``today`` (ISO date) defaults to the current day in Asia/Shanghai; a
    rerun on the same day changes nothing but adds its audit event. Returns the counts."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return dataclasses.asdict(dormancy_scan(today=day, region_prefix=region_prefix))
