"""Writes of grading evaluations (domain-rules §4): an officer records the grade an evaluation
committee concluded, or cancels one (a grade lowered or revoked, a listing, an error). Each
grade is also a credit record of the organization (RecordKind.EVALUATION_GRADE), so the credit
file shows it beside penalties and commendations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.evaluation.models import Evaluation, Grade
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization
from gongxin.registry.selectors import officer_manages

VALID_YEARS = 5  # 民政部令第39号: a grade is valid five years


def valid_until_for(decided_on: dt.date) -> dt.date:
    """Five years less a day from the decision (2021-03-15 → 2026-03-14); a decision of
    29 February counts its five years from 1 March."""
    return (dt.date(decided_on.year + VALID_YEARS, decided_on.month, 1)
            + dt.timedelta(days=decided_on.day - 1) - dt.timedelta(days=1))


def _require_officer(actor, org: Organization) -> None:
    if not officer_manages(actor, org.region_prefix):
        raise NotAllowed(_("Only the registration authority of this organization may do this."))


CREDIT_KEY_PREFIX = "evaluation:"  # the import key of the credit record a grade writes


def _credit_key(evaluation: Evaluation) -> str:
    return f"{CREDIT_KEY_PREFIX}{evaluation.pk}"


@transaction.atomic
def evaluation_record(*, actor, organization: Organization, grade: int, decided_on: dt.date, deciding_body: str,
                      certificate_number: str = "", today: dt.date | None = None) -> Evaluation:
    """Record a concluded grade, valid five years less a day from the decision. Recording the
    same grade of the same decision again returns the first (a double submission)."""
    _require_officer(actor, organization)
    today = today or timezone.localdate()
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade from 1A to 5A.")})
    if decided_on > today:
        raise ValidationError({"decided_on": _("The decision date cannot be in the future.")})
    deciding_body, certificate_number = deciding_body.strip(), certificate_number.strip()
    if not deciding_body:
        raise ValidationError({"deciding_body": _("Name the body that decided the grade.")})
    existing = Evaluation.objects.filter(organization=organization, grade=grade, decided_on=decided_on,
                                         cancelled_on__isnull=True).first()
    if existing is not None:
        return existing
    evaluation = Evaluation(organization=organization, grade=grade, decided_on=decided_on,
                            valid_until=valid_until_for(decided_on), deciding_body=deciding_body,
                            certificate_number=certificate_number, recorded_by=actor)
    evaluation.full_clean()
    evaluation.save(force_insert=True)
    audit_record(actor=actor, action="evaluation.record", obj=evaluation, after={
        "organization": organization.uscc, "grade": grade, "decided_on": decided_on,
        "valid_until": evaluation.valid_until, "deciding_body": deciding_body,
        "certificate_number": certificate_number})
    from gongxin.credit.services import record_create

    label = Grade(grade).label
    # A grade is information, not a list ground: the credit rules need not run (evaluate=False).
    record_create(actor=actor, organization=organization, kind=RecordKind.EVALUATION_GRADE,
                  title=f"社会组织评估等级{label}", source=certificate_number or deciding_body,
                  deciding_body=deciding_body, occurred_on=decided_on, valid_until=evaluation.valid_until,
                  content=f"评估等级{label},有效期至{evaluation.valid_until:%Y-%m-%d}",
                  import_key=_credit_key(evaluation), today=today, evaluate=False)
    return evaluation


@transaction.atomic
def evaluation_cancel(*, actor, evaluation: Evaluation, reason: str, today: dt.date | None = None) -> Evaluation:
    """Cancel a grade from today (lowered or revoked by the evaluation committee, recorded in
    error…). Its credit record ends on the same day."""
    locked = Evaluation.objects.select_for_update().select_related("organization").get(pk=evaluation.pk)
    _require_officer(actor, locked.organization)
    today = today or timezone.localdate()
    if locked.cancelled_on is not None:
        raise NotAllowed(_("This grade was already cancelled on %(date)s.") % {"date": locked.cancelled_on})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the grade is cancelled.")})
    cancelled_on = max(today, locked.decided_on)
    locked.cancelled_on, locked.cancelled_reason = cancelled_on, reason
    locked.save(update_fields=["cancelled_on", "cancelled_reason"])
    audit_record(actor=actor, action="evaluation.cancel", obj=locked, before={"cancelled_on": None},
                 after={"cancelled_on": cancelled_on, "reason": reason})
    record = CreditRecord.objects.filter(organization=locked.organization, kind=RecordKind.EVALUATION_GRADE,
                                         import_key=_credit_key(locked), resolved_on__isnull=True).first()
    if record is not None:
        from gongxin.credit.services import record_resolve

        record_resolve(actor=actor, record=record, resolved_on=cancelled_on, today=max(today, cancelled_on))
    return locked
