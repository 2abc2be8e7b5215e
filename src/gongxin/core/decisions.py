"""A rule's answer: may this happen now, and if not, why and from when (DESIGN.md convention 4).

A predicate such as ``may_award(actor, project, today)`` returns a ``Decision``; the service
calls ``decision.require(NotAllowed)`` before it writes, and the page shows the same decision
beside a disabled button, so the button and the service never disagree about what is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Decision:
    """``allowed``; otherwise ``reason`` (a sentence for the user, naming the check that failed)
    and ``earliest``, the first day the step becomes possible when only the calendar stands in
    the way (None when waiting would not help)."""

    allowed: bool
    reason: str = ""
    earliest: dt.date | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def allow(cls) -> Decision:
        return cls(True)

    @classmethod
    def refuse(cls, reason: str, earliest: dt.date | None = None) -> Decision:
        return cls(False, str(reason), earliest)

    def require(self, exc: type[ValidationError] = ValidationError) -> None:
        """Raise ``exc(reason)`` when refused: the service's guard."""
        if not self.allowed:
            raise exc(self.reason)


def first_refusal(*decisions: Decision) -> Decision:
    """The first refusal among ``decisions`` (checked in order), else an allowance."""
    for decision in decisions:
        if not decision.allowed:
            return decision
    return Decision.allow()
