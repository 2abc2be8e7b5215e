"""Facts about organizations changed (a report filed, a rectification confirmed, a registration
ended, …): the modules whose state follows from those facts (the credit lists: a ground
rectified, a notice to withdraw) bring it up to date for those organizations when the
transaction commits, instead of waiting for the nightly run.

A lower module announces (``facts_changed_notify``); a higher one listens (credit connects
its engine in ``CreditConfig.ready``), so the registry and the annual module need not import
the credit module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.dispatch import Signal

# Sent with ``organization_ids`` (a set of ids) and ``today`` (the day the facts are of, or None).
facts_changed = Signal()


def facts_changed_notify(*, organization_ids: Iterable[int], today: dt.date | None = None) -> None:
    ids = {pk for pk in organization_ids if pk}
    if ids:
        facts_changed.send(sender=None, organization_ids=ids, today=today)
