"""Reads of grading evaluations."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongxin.evaluation.models import Evaluation


def current_grade(organization, on: dt.date | None = None) -> Evaluation | None:
    """The grade in force on ``on`` (today): the latest decision by then that is not cancelled
    and not expired. One query."""
    on = on or timezone.localdate()
    return (Evaluation.objects.filter(organization=organization, decided_on__lte=on, valid_until__gte=on)
            .exclude(cancelled_on__lte=on).order_by("-decided_on", "-id").first())
