"""Writes of the credit module (DESIGN.md convention 1): penalties, credit records, banned
organizations, and the officer's and the organization's steps in a listing's procedure
(objection, confirmation, withdrawal, removal application and its verification).

After a penalty or a record the engine runs for that organization at once (on commit), so a
notice follows the decision without waiting for the night."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.core.workdays import add_workdays
from gongxin.credit import engine
from gongxin.credit.models import (
    RECORD_CATEGORY,
    BannedOrganization,
    CreditList,
    CreditRecord,
    ListEntry,
    ListingGround,
    ListingStatus,
    Penalty,
    PenaltyKind,
    PersonBadRecord,
    PersonRole,
    RemovalApplication,
    RemovalKind,
    RemovalStatus,
)
from gongxin.credit.rules import ABNORMAL_PERIOD, DISHONEST_PERIOD, add_months, full_period_passed
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization, OrgStatus, ResponsiblePerson
from gongxin.registry.selectors import officer_manages
from gongxin.registry.services import StaleEdit

REMOVAL_VERIFY_DAYS = 5  # domain-rules §2: removed within 5 working days of verification

_ENDING = {PenaltyKind.REGISTRATION_CANCELLED: OrgStatus.REGISTRATION_CANCELLED,
           PenaltyKind.CERTIFICATE_REVOKED: OrgStatus.CERTIFICATE_REVOKED}


def _require_officer(actor, org: Organization) -> None:
    if not officer_manages(actor, org.region_prefix):
        raise NotAllowed(_("Only the registration authority of this organization may do this."))


def _evaluate_on_commit(org: Organization, actor, today: dt.date) -> None:
    engine.evaluate_on_commit({org.pk}, actor=actor, today=today)


@transaction.atomic
def penalty_decide(*, actor, organization: Organization, kind: str, decision_number: str, facts: str,
                   legal_basis: str, decided_on: dt.date, deciding_body: str = "", amount: Decimal | None = None,
                   suspension_from: dt.date | None = None, suspension_until: dt.date | None = None,
                   is_public: bool = True, today: dt.date | None = None, evaluate: bool = True) -> Penalty:
    """Record an administrative penalty. Cancellation and revocation also end the registration
    (registry.services.organization_end); every penalty leaves bad records of the legal
    representative and responsible persons; the rule engine then runs for the organization."""
    _require_officer(actor, organization)
    today = today or timezone.localdate()
    if decided_on > today:
        raise ValidationError({"decided_on": _("The decision date cannot be in the future.")})
    if kind not in (PenaltyKind.FINE, PenaltyKind.CONFISCATION):
        amount = None
    if kind in (PenaltyKind.FINE, PenaltyKind.CONFISCATION) and (amount is None or amount <= 0):
        raise ValidationError({"amount": _("A fine or confiscation needs its amount in yuan.")})
    if kind == PenaltyKind.SUSPENSION and not (suspension_from and suspension_until):
        raise ValidationError({"suspension_until": _("A suspension needs its period (from and until).")})
    if kind == PenaltyKind.SUSPENSION and suspension_until < suspension_from:
        raise ValidationError({"suspension_until": _("The suspension cannot end before it starts.")})
    if Penalty.objects.filter(decision_number=decision_number.strip()).exists():
        raise ValidationError({"decision_number": _("A penalty with this decision number is already recorded.")})
    penalty = Penalty(organization=organization, kind=kind, decision_number=decision_number.strip(), amount=amount,
                      suspension_from=suspension_from if kind == PenaltyKind.SUSPENSION else None,
                      suspension_until=suspension_until if kind == PenaltyKind.SUSPENSION else None,
                      facts=facts, legal_basis=legal_basis, decided_on=decided_on,
                      deciding_body=deciding_body.strip() or organization.registration_authority_name,
                      authority_id=organization.registration_authority_id, is_public=is_public, decided_by=actor)
    penalty.full_clean()
    penalty.save(force_insert=True)
    audit_record(actor=actor, action="credit.penalty", obj=penalty, after={
        "organization": organization.uscc, "kind": kind, "decision_number": penalty.decision_number,
        "amount": amount, "decided_on": decided_on, "deciding_body": penalty.deciding_body})
    if kind in _ENDING and organization.status == OrgStatus.ACTIVE:
        from gongxin.registry.services import organization_end

        organization_end(actor=actor, org=organization, status=_ENDING[kind], ended_on=decided_on,
                         reason=f"{penalty.decision_number}", action="organization.penalty_end")
    # The bad record is dated by the decision it records (the registration check prints this
    # date beside the penalty: the day it was typed in is another fact).
    person_bad_records_add(organization=organization, source=f"penalty:{penalty.pk}",
                           reason=f"所在社会组织受到行政处罚:{penalty.get_kind_display()}({penalty.decision_number})",
                           today=decided_on)
    if evaluate:
        _evaluate_on_commit(organization, actor, today)
    return penalty


def person_bad_records_add(*, organization: Organization, source: str, reason: str, today: dt.date) -> None:
    rows = [PersonBadRecord(name=organization.legal_representative, role=PersonRole.LEGAL_REPRESENTATIVE,
                            position="法定代表人", organization=organization, source=source, reason=reason[:256],
                            recorded_on=today)]
    for person in ResponsiblePerson.objects.filter(organization=organization):
        if person.name != organization.legal_representative:
            rows.append(PersonBadRecord(name=person.name, role=PersonRole.RESPONSIBLE_PERSON,
                                        position=person.position, organization=organization, source=source,
                                        reason=reason[:256], recorded_on=today))
    PersonBadRecord.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def record_create(*, actor, organization: Organization, kind: str, title: str, source: str, deciding_body: str,
                  occurred_on: dt.date, content: str = "", valid_until: dt.date | None = None,
                  is_public: bool = True, import_key: str = "", today: dt.date | None = None,
                  evaluate: bool = True) -> CreditRecord:
    """Enter a credit record (court defaulter, commendation, other grounds…). Records that are
    evidence for a list ground make the engine run for the organization."""
    _require_officer(actor, organization)
    today = today or timezone.localdate()
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    record = CreditRecord(organization=organization, category=RECORD_CATEGORY[kind], kind=kind, title=title,
                          content=content, source=source, deciding_body=deciding_body, occurred_on=occurred_on,
                          valid_until=valid_until, is_public=is_public, import_key=import_key, recorded_by=actor)
    record.full_clean()
    record.save(force_insert=True)
    audit_record(actor=actor, action="credit.record", obj=record, after={
        "organization": organization.uscc, "kind": kind, "title": title, "occurred_on": occurred_on})
    if evaluate:
        _evaluate_on_commit(organization, actor, today)
    return record


@transaction.atomic
def record_resolve(*, actor, record: CreditRecord, resolved_on: dt.date, today: dt.date | None = None) -> CreditRecord:
    """The condition a record describes has ended (the court lifted the defaulter listing, the
    Party organization was set up): the ground counts as rectified from that date."""
    locked = CreditRecord.objects.select_for_update().select_related("organization").get(pk=record.pk)
    _require_officer(actor, locked.organization)
    today = today or timezone.localdate()
    if locked.resolved_on is not None:
        raise NotAllowed(_("This record has already ended."))
    if resolved_on > today or resolved_on < locked.occurred_on:
        raise ValidationError({"resolved_on": _("The end date must lie between the record's date and today.")})
    locked.resolved_on = resolved_on
    locked.save(update_fields=["resolved_on"])
    audit_record(actor=actor, action="credit.record_resolve", obj=locked, after={"resolved_on": resolved_on})
    _evaluate_on_commit(locked.organization, actor, today)
    return locked


@transaction.atomic
def banned_record(*, actor, region, name: str, decision_number: str, banned_on: dt.date, facts: str,
                  legal_basis: str, uscc: str = "") -> BannedOrganization:
    """Publish the banning (取缔) of an illegal social organization."""
    if not officer_manages(actor, region.prefix):
        raise NotAllowed(_("Only the civil-affairs authority of this region may do this."))
    banned = BannedOrganization(name=name.strip(), uscc=uscc.strip().upper(), region=region,
                                region_prefix=region.prefix, decision_number=decision_number.strip(),
                                banned_on=banned_on, facts=facts, legal_basis=legal_basis, recorded_by=actor,
                                organization=Organization.objects.filter(uscc=uscc.strip().upper()).first()
                                if uscc else None)
    banned.full_clean()
    banned.save(force_insert=True)
    audit_record(actor=actor, action="credit.banned", obj=banned, after={"name": banned.name, "decision": decision_number})
    return banned


def _lock_entry(entry: ListEntry, expected_version: int | None) -> ListEntry:
    locked = ListEntry.objects.select_for_update().select_related("organization").get(pk=entry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This entry was changed since you opened it (now: %(status)s); reload it.")
                        % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def objection_submit(*, actor, entry: ListEntry, text: str, today: dt.date | None = None) -> ListEntry:
    """The organization objects to a notice within the objection period (陈述申辩)."""
    today = today or timezone.localdate()
    locked = _lock_entry(entry, None)
    if getattr(actor, "organization_id", None) != locked.organization_id:
        raise NotAllowed(_("Only the organization itself may object."))
    if locked.status != ListingStatus.NOTICED:
        raise NotAllowed(_("This notice is no longer open to objections."))
    if today > locked.objection_due:
        raise NotAllowed(_("The objection period ended on %(date)s.") % {"date": locked.objection_due})
    if locked.objection:
        raise NotAllowed(_("An objection has already been submitted."))
    if not text.strip():
        raise ValidationError({"objection": _("Say what you object to and why.")})
    locked.objection, locked.objection_at = text.strip(), timezone.now()
    locked.version += 1
    locked.save(update_fields=["objection", "objection_at", "version", "updated_at"])
    audit_record(actor=actor, action="credit.objection", obj=locked, after={"objection": locked.objection})
    return locked


@transaction.atomic
def listing_confirm(*, actor, entry: ListEntry, expected_version: int, answer: str = "",
                    today: dt.date | None = None) -> ListEntry:
    """An officer lists a noticed organization once the objection period has ended; an
    objection must be answered (and is thereby not upheld)."""
    today = today or timezone.localdate()
    locked = _lock_entry(entry, expected_version)
    _require_officer(actor, locked.organization)
    if locked.status != ListingStatus.NOTICED:
        raise NotAllowed(_("This entry is not awaiting listing."))
    if today <= locked.objection_due:
        raise NotAllowed(_("The objection period runs until %(date)s; list after it.") % {"date": locked.objection_due})
    if engine.rectified_during_notice(list(locked.grounds.all())):
        raise NotAllowed(_("Every ground has been rectified during the notice period: there is nothing to list."))
    if locked.objection and not locked.objection_answer:
        if not answer.strip():
            raise ValidationError({"answer": _("Answer the organization's objection before listing.")})
        locked.objection_answer = answer.strip()
        locked.save(update_fields=["objection_answer"])
    engine.entries_list([locked], actor=actor, today=today)
    return locked


@transaction.atomic
def listing_withdraw(*, actor, entry: ListEntry, expected_version: int, reason: str,
                     today: dt.date | None = None) -> ListEntry:
    """The officer does not list (objection upheld, or the grounds do not hold). Its evidence
    stays consumed: the engine will not propose it again."""
    locked = _lock_entry(entry, expected_version)
    _require_officer(actor, locked.organization)
    if locked.status != ListingStatus.NOTICED:
        raise NotAllowed(_("Only a notice not yet listed can be withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for not listing.")})
    before = engine._entry_state(locked)
    locked.status, locked.objection_answer = ListingStatus.WITHDRAWN, locked.objection_answer or reason.strip()
    locked.removal_reason, locked.removed_on = reason.strip(), today or timezone.localdate()
    locked.removed_by, locked.version = actor, locked.version + 1
    locked.save(update_fields=["status", "objection_answer", "removal_reason", "removed_on", "removed_by", "version",
                               "updated_at"])
    audit_record(actor=actor, action="credit.withdraw", obj=locked, before=before, after=engine._entry_state(locked))
    return locked


def removal_eligibility(entry: ListEntry, today: dt.date) -> tuple[bool, str]:
    """Whether the organization may apply for removal now, and if not, why (shown on its page)."""
    if entry.status != ListingStatus.LISTED:
        return False, _("Only a listed organization can apply for removal.")
    grounds = [g for g in entry.grounds.all() if g.removed_on is None]
    if entry.list == CreditList.ABNORMAL:
        if not any(g.needs_rectification for g in grounds):
            return False, _("Nothing needs rectifying: the organization is removed automatically on %(date)s.") % {
                "date": add_months(entry.clock_from, ABNORMAL_PERIOD)}
        return True, ""
    if grounds and all(g.ground == "D7" for g in grounds):
        return False, _("Listed for the revocation or cancellation of its registration: removed once deregistration "
                        "is complete.")
    if not full_period_passed(entry.clock_from, DISHONEST_PERIOD, today):
        return False, _("Removal can be applied for after 2 full years without new grounds, from %(date)s.") % {
            "date": add_months(entry.clock_from, DISHONEST_PERIOD)}
    return True, ""


def grounds_after_removal(entry: ListEntry, today: dt.date) -> tuple[list[ListingGround], list[ListingGround]]:
    """What approving a removal application does to ``entry``'s grounds: (removed: those needing
    rectification, rectified or to be confirmed so; remaining: those with nothing to rectify
    whose listing period has not run out, which keep the organization listed). A ground an
    earlier application removed is in neither."""
    period = ABNORMAL_PERIOD if entry.list == CreditList.ABNORMAL else DISHONEST_PERIOD
    live = [g for g in entry.grounds.all() if g.removed_on is None]
    removed = [g for g in live if g.needs_rectification]
    remaining = [g for g in live if not g.needs_rectification
                 and not full_period_passed(entry.clock_from or g.applies_from, period, today)]
    return removed, remaining


def remaining_until(entry: ListEntry) -> dt.date | None:
    """The day the grounds with nothing to rectify stop holding (the listing period's end)."""
    if entry.clock_from is None:
        return None
    return add_months(entry.clock_from, ABNORMAL_PERIOD if entry.list == CreditList.ABNORMAL else DISHONEST_PERIOD)


@transaction.atomic
def removal_apply(*, actor, entry: ListEntry, statement: str, today: dt.date | None = None) -> RemovalApplication:
    """The organization applies for removal after fulfilling its obligations or rectifying.
    A second submission while one is pending returns the pending one (idempotent)."""
    today = today or timezone.localdate()
    locked = _lock_entry(entry, None)
    if getattr(actor, "organization_id", None) != locked.organization_id:
        raise NotAllowed(_("Only the organization itself may apply."))
    pending = locked.removal_applications.filter(status=RemovalStatus.PENDING).first()
    if pending is not None:
        return pending
    ok, why = removal_eligibility(locked, today)
    if not ok:
        raise NotAllowed(why)
    if not statement.strip():
        raise ValidationError({"statement": _("Describe what was done to fulfil the obligations or rectify.")})
    due = add_workdays(today, REMOVAL_VERIFY_DAYS)
    application = RemovalApplication(entry=locked, applicant=actor, statement=statement.strip(), submitted_on=today,
                                     due_on=due.date, due_provisional=due.provisional)
    application.full_clean()
    application.save(force_insert=True)
    audit_record(actor=actor, action="credit.removal_apply", obj=application,
                 after={"entry": locked.pk, "due_on": due.date, "statement": application.statement})
    return application


@transaction.atomic
def removal_decide(*, actor, application: RemovalApplication, approve: bool, reasons: str = "",
                   rectified_confirmed: bool = False, expected_version: int | None = None,
                   today: dt.date | None = None) -> RemovalApplication:
    """Verify a removal application. Approving removes the organization from the list; where
    grounds are not yet shown as rectified in the platform's data, the officer must confirm
    having verified the rectification (those grounds are then marked rectified today)."""
    today = today or timezone.localdate()
    locked = RemovalApplication.objects.select_for_update().select_related("entry__organization").get(pk=application.pk)
    entry = _lock_entry(locked.entry, expected_version)
    _require_officer(actor, entry.organization)
    if locked.status != RemovalStatus.PENDING:
        raise NotAllowed(_("This application has already been decided."))
    status = RemovalStatus.REJECTED
    if approve:
        ok, why = removal_eligibility(entry, today)
        if not ok:
            raise NotAllowed(why)
        removed, remaining = grounds_after_removal(entry, today)
        open_grounds = [g for g in removed if g.cured_on is None]
        if open_grounds and not rectified_confirmed:
            raise ValidationError({"rectified_confirmed": _(
                "%(count)d ground(s) are not shown as rectified in the platform's data: confirm that you verified "
                "the rectification.") % {"count": len(open_grounds)}})
        ListingGround.objects.filter(pk__in=[g.pk for g in open_grounds]).update(cured_on=today)
        if remaining:
            # The rectified grounds go; the organization stays listed on the others until their
            # period runs out (the engine then removes it automatically).
            ListingGround.objects.filter(pk__in=[g.pk for g in removed]).update(removed_on=today)
            before = engine._entry_state(entry)
            entry.reason, entry.legal_basis = engine.entry_reason(remaining)
            entry.version += 1
            entry.save(update_fields=["reason", "legal_basis", "version", "updated_at"])
            audit_record(actor=actor, action="credit.grounds_remove", obj=entry, before=before, after={
                **engine._entry_state(entry), "removed": [f"{g.ground} {g.evidence_key}" for g in removed],
                "remaining": [f"{g.ground} {g.evidence_key}" for g in remaining]})
            status = RemovalStatus.PARTIAL
        else:
            engine.entries_remove([entry], actor=actor, today=today, kind=RemovalKind.APPLICATION,
                                  reason=reasons.strip() or "已履行相关义务或完成整改,经核实准予移出")
            status = RemovalStatus.APPROVED
    elif not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for refusing.")})
    locked.status = status
    locked.decided_by, locked.decided_at, locked.decision_reasons = actor, timezone.now(), reasons.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reasons"])
    audit_record(actor=actor, action="credit.removal_decide", obj=locked,
                 after={"status": locked.status, "reasons": locked.decision_reasons})
    return locked


def deadlines_recount(*, year: int, **kwargs) -> int:
    """A year's holidays were entered: recount provisional objection and verification deadlines
    that the year's days were counted into (core.workdays.calendar_changed)."""
    changed = 0
    for entry in ListEntry.objects.filter(status=ListingStatus.NOTICED, objection_due_provisional=True):
        if entry.objection_due.year >= year:
            days = engine.policy_for(entry.authority_id).credit_objection_days
            due = add_workdays(entry.noticed_on, days)
            if (due.date, due.provisional) != (entry.objection_due, entry.objection_due_provisional):
                entry.objection_due, entry.objection_due_provisional = due
                entry.save(update_fields=["objection_due", "objection_due_provisional"])
                changed += 1
    for app in RemovalApplication.objects.filter(status=RemovalStatus.PENDING, due_provisional=True):
        if app.due_on.year >= year:
            due = add_workdays(app.submitted_on, REMOVAL_VERIFY_DAYS)
            if (due.date, due.provisional) != (app.due_on, app.due_provisional):
                app.due_on, app.due_provisional = due
                app.save(update_fields=["due_on", "due_provisional"])
                changed += 1
    return changed
