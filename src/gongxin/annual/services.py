"""Writes to annual work reports (DESIGN.md convention 1): every one audited in its transaction.

Lifecycle: draft → (sponsor_review →) authority_review → reviewed (合格/基本合格/不合格) or, in a
jurisdiction in the Guangdong filing mode, straight to filed once it reaches the authority.
The sponsor or the authority may return a report for correction (returned → submit again).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.accounts.models import Role
from gongxin.annual import rules
from gongxin.annual.models import (
    AnnualReport,
    BasicPassReason,
    Conclusion,
    FactKind,
    FailReason,
    ReportStatus,
    SupervisionFact,
)
from gongxin.core.audit import audit_record
from gongxin.core.facts import facts_changed_notify
from gongxin.registry.models import Organization, OrgSubtype
from gongxin.registry.policy import policy_for
from gongxin.registry.selectors import officer_manages
from gongxin.registry.services import StaleEdit

# The fields an organization fills in (the form, the API and the import all use this list).
CONTENT_FIELDS = [
    "total_assets", "total_liabilities", "net_assets", "income", "expenses", "donations_received", "grants_given",
    "government_funding", "staff_count", "member_count", "branch_count", "activity_count", "activities",
    "compliance", "registered_changes", "staff_changes", "government_services", "commendations",
    "party_org_established", "eight_haves", "six_goods", "self_governance_check",
]
# Required for submission (a draft may be incomplete).
REQUIRED_FIELDS = ["total_assets", "total_liabilities", "net_assets", "income", "expenses", "staff_count",
                   "activity_count", "activities", "compliance", "party_org_established"]
INDUSTRY_SUBTYPES = {OrgSubtype.INDUSTRY_ASSOCIATION, OrgSubtype.CHAMBER_OF_COMMERCE, OrgSubtype.OUT_OF_TOWN_CHAMBER}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class NotAllowed(ValidationError):
    """The actor may not do this to this report in its current state."""


def _snapshot(report: AnnualReport) -> dict[str, Any]:
    return {"organization": report.organization.uscc, "year": report.year, "status": report.status,
            "conclusion": report.conclusion, "reasons": report.conclusion_reasons, "version": report.version}


def _lock(report: AnnualReport, expected_version: int | None) -> AnnualReport:
    locked = AnnualReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This report was changed by someone else since you opened it "
                          "(now: %(status)s); reload it and try again.") % {"status": locked.get_status_display()})
    return locked


def attachment_check(upload) -> None:
    """A financial or audit report must be a PDF of at most 20 MB (checked by content, not name)."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"financial_report": _("The file is larger than 20 MB.")})
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"financial_report": _("The file is not a PDF document.")})


@transaction.atomic
def report_save_draft(*, actor, organization: Organization, year: int, data: dict[str, Any],
                      expected_version: int | None = None, financial_report=None) -> AnnualReport:
    """Create or update the organization's draft for ``year``. A submitted report is locked."""
    if actor.role != Role.ORG_USER or actor.organization_id != organization.pk:
        raise NotAllowed(_("Only the organization itself may edit its annual report."))
    ob = rules.obligation_for(organization, year)
    if not ob.owed:
        raise ValidationError(ob.reason)
    report, created = AnnualReport.objects.get_or_create(organization=organization, year=year)
    report = _lock(report, None if created else expected_version)
    if report.locked:
        raise NotAllowed(_("This report has been submitted and is locked."))
    before = None if created else _snapshot(report)
    for name in CONTENT_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    superseded = ""
    if financial_report is not None:
        attachment_check(financial_report)
        superseded = report.financial_report.name if report.financial_report else ""
        report.financial_report = financial_report
    if not created:
        report.version += 1
    report.full_clean(exclude=["organization"])
    report.save()
    audit_record(actor=actor, action="annual.draft_save", obj=report, before=before, after=_snapshot(report))
    if superseded and superseded != report.financial_report.name:
        # The replaced PDF goes once the new one is committed (a rollback keeps the old one).
        storage = report.financial_report.storage
        transaction.on_commit(lambda: storage.delete(superseded))
    return report


def completeness_errors(report: AnnualReport) -> dict[str, str]:
    errors = {}
    for name in REQUIRED_FIELDS:
        value = getattr(report, name)
        if value is None or value == "":
            errors[name] = _("This field is required to submit the report.")
    if None not in (report.total_assets, report.total_liabilities, report.net_assets):
        if abs(report.total_assets - report.total_liabilities - report.net_assets) > Decimal("1"):
            errors["net_assets"] = _("Net assets must equal total assets minus total liabilities.")
    if report.organization.subtype in INDUSTRY_SUBTYPES and not report.self_governance_check:
        errors["self_governance_check"] = _("Industry associations and chambers of commerce must complete "
                                            "the self-governance check (five selves, four withouts).")
    return errors


def _reach_authority(report: AnnualReport, today: dt.date) -> None:
    """A report arriving at the registration authority: filed at once in the filing mode."""
    if policy_for(report.organization.registration_authority_id).filing_mode:
        report.status = ReportStatus.FILED
        report.published_on = today
    else:
        report.status = ReportStatus.AUTHORITY_REVIEW


@transaction.atomic
def report_submit(*, actor, report: AnnualReport, expected_version: int) -> AnnualReport:
    """Submit the report. Idempotent: submitting an already submitted report (a double click, a
    retried request) returns it unchanged. Records a late report as a supervision fact."""
    locked = _lock(report, None)
    if locked.locked:
        return locked
    if actor.role != Role.ORG_USER or actor.organization_id != locked.organization_id:
        raise NotAllowed(_("Only the organization itself may submit its annual report."))
    if locked.version != expected_version:
        raise StaleEdit(_("This report was changed since you opened it; reload it and try again."))
    errors = completeness_errors(locked)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(locked)
    now = timezone.now()
    today = timezone.localdate(now)
    first_submission = locked.submitted_at is None
    # The notes of a previous round (why it was returned) are answered by this submission;
    # they stay in the audit log.
    locked.review_note = locked.sponsor_opinion = ""
    locked.submitted_at = now
    if first_submission:
        ob = rules.obligation_for(locked.organization, locked.year)
        locked.late = rules.is_late(today, ob)
        if locked.late:
            facts_record_late(org=locked.organization, year=locked.year, submitted_on=today, deadline=ob.deadline)
    if locked.organization.sponsor_unit_id:
        locked.status = ReportStatus.SPONSOR_REVIEW
    else:
        _reach_authority(locked, today)
    locked.version += 1
    locked.save()
    audit_record(actor=actor, action="annual.submit", obj=locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def report_sponsor_review(*, actor, report: AnnualReport, approve: bool, opinion: str,
                          expected_version: int) -> AnnualReport:
    """The sponsor unit's pre-review: pass it on to the authority, or return it with an opinion."""
    locked = _lock(report, expected_version)
    if actor.role != Role.SPONSOR or locked.organization.sponsor_unit_id != actor.sponsor_unit_id:
        raise NotAllowed(_("Only the organization's sponsor unit may pre-review this report."))
    if locked.status != ReportStatus.SPONSOR_REVIEW:
        raise NotAllowed(_("This report is not awaiting the sponsor's pre-review."))
    if not approve and not opinion.strip():
        raise ValidationError({"opinion": _("Say what must be corrected.")})
    before = _snapshot(locked)
    locked.sponsor_reviewed_at, locked.sponsor_reviewed_by, locked.sponsor_opinion = timezone.now(), actor, opinion
    if approve:
        _reach_authority(locked, timezone.localdate())
    else:
        locked.status, locked.review_note = ReportStatus.RETURNED, ""
    locked.version += 1
    locked.save()
    audit_record(actor=actor, action="annual.sponsor_review", obj=locked, before=before, after=_snapshot(locked))
    return locked


REASONS_BY_CONCLUSION = {
    Conclusion.PASS: set(),
    Conclusion.BASIC_PASS: set(BasicPassReason.values),
    Conclusion.FAIL: set(FailReason.values) | set(BasicPassReason.values),
}


def review_check(*, conclusion: str, reasons: list[str]) -> None:
    """The conclusion and its reasons fit together (by field): 基本合格 needs a 基本合格 reason,
    不合格 a 不合格 reason, 合格 none. Checked before the confirmation page and again at the write."""
    if not conclusion:
        raise ValidationError({"conclusion": _("Choose a conclusion.")})
    conclusion = Conclusion(conclusion)
    unknown = set(reasons) - REASONS_BY_CONCLUSION[conclusion]
    if unknown:
        raise ValidationError({"reasons": _("These reasons do not fit the conclusion: %(r)s")
                               % {"r": ", ".join(sorted(unknown))}})
    if conclusion == Conclusion.BASIC_PASS and not reasons:
        raise ValidationError({"reasons": _("Choose at least one reason for a basic pass.")})
    if conclusion == Conclusion.FAIL and not set(reasons) & set(FailReason.values):
        raise ValidationError({"reasons": _("Choose at least one reason for failing.")})


@transaction.atomic
def report_review(*, actor, report: AnnualReport, conclusion: str, reasons: list[str], note: str,
                  expected_version: int) -> AnnualReport:
    """The registration authority's conclusion. 基本合格 needs at least one 基本合格 reason and 不合格
    at least one 不合格 reason; 合格 takes none. A second officer saving over a review that has
    happened since they opened the report is refused (StaleEdit), not silently applied."""
    locked = _lock(report, expected_version)
    if not officer_manages(actor, locked.organization.region_prefix):
        raise NotAllowed(_("Only the registration authority may review this report."))
    if locked.status != ReportStatus.AUTHORITY_REVIEW:
        raise NotAllowed(_("This report is not awaiting review."))
    reasons = list(dict.fromkeys(reasons))
    review_check(conclusion=conclusion, reasons=reasons)
    conclusion = Conclusion(conclusion)
    before = _snapshot(locked)
    today = timezone.localdate()
    locked.status, locked.conclusion, locked.conclusion_reasons = ReportStatus.REVIEWED, conclusion, reasons
    locked.review_note, locked.reviewed_at, locked.reviewed_by = note, timezone.now(), actor
    locked.published_on = today
    locked.version += 1
    locked.save()
    if conclusion == Conclusion.FAIL:
        SupervisionFact.objects.get_or_create(
            organization=locked.organization, kind=FactKind.REPORT_FAILED, key=str(locked.year),
            defaults={"occurred_on": today, "evidence": {"year": locked.year, "reasons": reasons}})
        facts_changed_notify(organization_ids={locked.organization_id}, today=today)
    audit_record(actor=actor, action="annual.review", obj=locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def report_return(*, actor, report: AnnualReport, note: str, expected_version: int) -> AnnualReport:
    """The authority sends a report back for correction (it stays submitted for lateness)."""
    locked = _lock(report, expected_version)
    if not officer_manages(actor, locked.organization.region_prefix):
        raise NotAllowed(_("Only the registration authority may return this report."))
    if locked.status != ReportStatus.AUTHORITY_REVIEW:
        raise NotAllowed(_("This report is not awaiting review."))
    if not note.strip():
        raise ValidationError({"note": _("Say what must be corrected.")})
    before = _snapshot(locked)
    locked.status, locked.review_note = ReportStatus.RETURNED, note
    locked.version += 1
    locked.save()
    audit_record(actor=actor, action="annual.return", obj=locked, before=before, after=_snapshot(locked))
    return locked


def facts_record_late(*, org: Organization, year: int, submitted_on: dt.date, deadline: dt.date) -> None:
    """A late report: record it and resolve the "missing" fact of that year, if any."""
    SupervisionFact.objects.get_or_create(
        organization=org, kind=FactKind.REPORT_LATE, key=str(year),
        defaults={"occurred_on": submitted_on,
                  "evidence": {"year": year, "deadline": deadline.isoformat(), "submitted_on": submitted_on.isoformat()}})
    SupervisionFact.objects.filter(organization=org, kind=FactKind.REPORT_MISSING, key=str(year),
                                   resolved_on__isnull=True).update(resolved_on=submitted_on)
    # The late filing rectifies the A1 ground the missing report opened: the credit state follows.
    facts_changed_notify(organization_ids={org.pk}, today=submitted_on)


def facts_record_missing(*, today: dt.date, region_prefix: str = "", chunk: int = 5000) -> int:
    """The nightly run: every active organization that owed a report for a year whose deadline
    has passed and has not submitted it gets a ``report_missing`` fact (活动异常名录 ground 1).
    Idempotent: the fact's unique key makes a rerun insert nothing. Set-based per
    (jurisdiction policy, year): one query finds the organizations, bulk inserts record them."""
    from gongxin.registry.models import JurisdictionPolicy, OrgStatus
    from gongxin.registry.selectors import region_prefix_filter

    # Distinct deadlines only come from regions with their own policy; everything else shares
    # the national default, so group organizations by the policy region that governs them.
    policy_regions = sorted({p for p in JurisdictionPolicy.objects.values_list("region_id", flat=True)})
    created = 0
    years = range(today.year - 5, today.year)
    orgs = Organization.objects.filter(status=OrgStatus.ACTIVE)
    if region_prefix:
        orgs = orgs.filter(region_prefix_filter("region_prefix", region_prefix))
    for year in years:
        # Organizations exempt or not yet registered owe nothing.
        owing = orgs.filter(established_on__lt=dt.date(year, 6, 30))
        submitted = AnnualReport.objects.filter(year=year, submitted_at__isnull=False).values("organization_id")
        candidates = owing.exclude(pk__in=submitted).values_list("pk", "registration_authority_id").iterator(chunk)
        batch = []
        for pk, authority in candidates:
            policy = policy_for(authority) if policy_regions else None
            deadline = (policy or policy_for("100000")).authority_deadline(year)
            if today <= deadline:
                continue
            batch.append(SupervisionFact(organization_id=pk, kind=FactKind.REPORT_MISSING, key=str(year),
                                         occurred_on=deadline + dt.timedelta(days=1),
                                         evidence={"year": year, "deadline": deadline.isoformat()}))
            if len(batch) >= chunk:
                created += _insert_facts(batch)
                batch = []
        created += _insert_facts(batch)
    return created


def _insert_facts(batch: list[SupervisionFact]) -> int:
    if not batch:
        return 0
    before = SupervisionFact.objects.count()
    SupervisionFact.objects.bulk_create(batch, ignore_conflicts=True)
    return SupervisionFact.objects.count() - before


def rectification_deadlines_recount(*, year: int, **kwargs) -> int:
    """An administrator entered ``year``'s holidays: recount the provisional due dates of open
    rectification notices from their issue day and time limit. Returns how many changed."""
    from gongxin.annual.models import RectificationNotice, RectificationStatus
    from gongxin.core.workdays import add_workdays

    changed = 0
    notices = RectificationNotice.objects.filter(status=RectificationStatus.OPEN, due_provisional=True,
                                                 working_days__isnull=False)
    for notice in notices:
        deadline = add_workdays(notice.issued_on, notice.working_days)
        if (deadline.date, deadline.provisional) != (notice.due_on, notice.due_provisional):
            RectificationNotice.objects.filter(pk=notice.pk).update(due_on=deadline.date,
                                                                    due_provisional=deadline.provisional)
            changed += 1
    return changed
