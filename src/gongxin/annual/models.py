"""Annual work reports, random inspections, rectification, dormancy findings and the
supervision facts the credit rules consume (domain-rules.md §2, §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SPONSOR_REVIEW = "sponsor_review", _("Awaiting sponsor pre-review")
    AUTHORITY_REVIEW = "authority_review", _("Awaiting registration authority review")
    RETURNED = "returned", _("Returned for correction")
    REVIEWED = "reviewed", _("Reviewed")
    FILED = "filed", _("Filed")


class Conclusion(models.TextChoices):
    PASS = "pass", _("Pass")
    BASIC_PASS = "basic_pass", _("Basic pass")
    FAIL = "fail", _("Fail")


class BasicPassReason(models.TextChoices):
    """基本合格 grounds (domain-rules.md §3)."""

    MEETINGS = "meetings", _("Meetings not held as the charter requires")
    ELECTIONS = "elections", _("Leadership election overdue or leaders past age or term limits")
    BRANCHES = "branches", _("Improper branches or fees charged to branches")
    FINANCES = "finances", _("Irregular finances")
    CERTIFICATE_SEAL = "certificate_seal", _("Irregular management of certificate or seal")
    AWARDS = "awards", _("Unauthorized commendation activities")
    SUPERVISION = "supervision", _("Did not accept supervision")
    CRITICISM = "criticism", _("Publicly criticized last year")


class FailReason(models.TextChoices):
    """不合格 grounds (domain-rules.md §3)."""

    CERTIFICATE_ABUSE = "certificate_abuse", _("Altered, lent or leased the certificate or seal")
    OUTSIDE_SCOPE = "outside_scope", _("Acted outside its purpose or business scope")
    REFUSED_INSPECTION = "refused_inspection", _("Refused inspection")
    UNREGISTERED_CHANGE = "unregistered_change", _("Changed registered items without registration")
    FOR_PROFIT = "for_profit", _("Engaged in for-profit business")
    MISAPPROPRIATION = "misappropriation", _("Misappropriated assets")


class ReportSource(models.TextChoices):
    ONLINE = "online", _("Submitted online")
    IMPORT = "import", _("Imported from Excel")


class AnnualReport(models.Model):
    """One organization's annual work report for one year (年度工作报告).

    The content follows domain-rules.md §3: figures in yuan, counts, and the narrative sections.
    Checklists (八有, 六个好, 五自四无) are lists of item keys from ``annual.content``.
    """

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                      on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    source = models.CharField(_("source"), max_length=8, choices=ReportSource.choices, default=ReportSource.ONLINE)
    # Finances (yuan)
    total_assets = models.DecimalField(_("total assets"), max_digits=16, decimal_places=2, null=True, blank=True)
    total_liabilities = models.DecimalField(_("total liabilities"), max_digits=16, decimal_places=2,
                                            null=True, blank=True)
    net_assets = models.DecimalField(_("net assets"), max_digits=16, decimal_places=2, null=True, blank=True)
    income = models.DecimalField(_("income"), max_digits=16, decimal_places=2, null=True, blank=True)
    expenses = models.DecimalField(_("expenses"), max_digits=16, decimal_places=2, null=True, blank=True)
    donations_received = models.DecimalField(_("donations received"), max_digits=16, decimal_places=2,
                                             null=True, blank=True)
    grants_given = models.DecimalField(_("grants given"), max_digits=16, decimal_places=2, null=True, blank=True)
    government_funding = models.DecimalField(_("government purchase and funding income"), max_digits=16,
                                             decimal_places=2, null=True, blank=True)
    # People and activities
    staff_count = models.PositiveIntegerField(_("full-time staff"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    branch_count = models.PositiveIntegerField(_("branches and representative offices"), null=True, blank=True)
    activity_count = models.PositiveIntegerField(_("activities held"), null=True, blank=True)
    activities = models.TextField(_("activities under the charter"), blank=True)
    compliance = models.TextField(_("compliance with laws and policies"), blank=True)
    registered_changes = models.TextField(_("changes of registered items"), blank=True)
    staff_changes = models.TextField(_("organization and staff changes"), blank=True)
    government_services = models.TextField(_("government services undertaken"), blank=True)
    commendations = models.TextField(_("commendation activities held"), blank=True)
    # Party building
    party_org_established = models.BooleanField(_("Party organization established"), null=True, blank=True)
    eight_haves = models.JSONField(_("eight haves"), default=list, blank=True)
    six_goods = models.JSONField(_("six goods"), default=list, blank=True)
    # 五自四无 (industry associations and chambers of commerce only)
    self_governance_check = models.JSONField(_("self-governance check (five selves, four withouts)"), default=list, blank=True)
    financial_report = models.FileField(_("financial or audit report (PDF)"), upload_to="annual/%Y/", blank=True)
    # Workflow
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    sponsor_reviewed_at = models.DateTimeField(null=True, blank=True)
    sponsor_reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    sponsor_opinion = models.TextField(_("sponsor opinion"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Conclusion.choices, blank=True)
    conclusion_reasons = models.JSONField(_("reasons"), default=list, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    published_on = models.DateField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "-year"]
        verbose_name = _("annual work report")
        verbose_name_plural = _("annual work reports")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="annual_report_one_per_year"),
            models.CheckConstraint(
                name="annual_report_conclusion_when_reviewed",
                condition=(models.Q(status="reviewed") & ~models.Q(conclusion=""))
                | (~models.Q(status="reviewed") & models.Q(conclusion="")),
            ),
        ]
        indexes = [
            # The officer's review queue and the dormancy scan: reports of a year by status.
            models.Index(fields=["year", "status"], name="annual_report_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"

    @property
    def locked(self) -> bool:
        """Submitted reports are locked for the organization until returned for correction."""
        return self.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class FactKind(models.TextChoices):
    REPORT_MISSING = "report_missing", _("Annual report not submitted by the deadline")
    REPORT_LATE = "report_late", _("Annual report submitted late")
    REPORT_FAILED = "report_failed", _("Annual report concluded as failed")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification not completed on time")
    UNREACHABLE = "unreachable", _("Cannot be reached at its registered address")


class SupervisionFact(models.Model):
    """A fact established by supervision that the credit rules consume (活动异常名录 grounds 1, 3,
    6; dormancy). Written only by annual.services / annual.rules; ``key`` makes recording the
    same fact twice a no-op (the year for reports, the notice id for rectifications)."""

    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(_("kind"), max_length=32, choices=FactKind.choices)
    key = models.CharField(max_length=32)
    occurred_on = models.DateField(_("date"))
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "-occurred_on"]
        verbose_name = _("supervision fact")
        verbose_name_plural = _("supervision facts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "key"], name="fact_once"),
        ]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="fact_kind_date")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.key}"


class InspectionKind(models.TextChoices):
    SPOT_CHECK = "spot_check", _("Spot check")
    FINANCIAL_AUDIT = "financial_audit", _("Financial audit")
    ON_SITE = "on_site", _("On-site inspection")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class RandomInspection(models.Model):
    """A 双随机 campaign: a reproducible random draw of organizations (by ``seed`` over the
    candidate list in USCC order, whose sha256 is published) and of inspectors."""

    jurisdiction = models.ForeignKey("core.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField(_("title"), max_length=128)
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=InspectionStatus.choices,
                              default=InspectionStatus.DRAFT)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sample_share = models.DecimalField(_("sample share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    seed = models.CharField(_("random seed"), max_length=64, blank=True)
    candidate_count = models.PositiveIntegerField(null=True, blank=True)
    candidate_digest = models.CharField(max_length=64, blank=True)
    inspectors = models.ManyToManyField("accounts.User", verbose_name=_("inspector pool"), blank=True,
                                        related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("random inspection")
        verbose_name_plural = _("random inspections")
        constraints = [
            models.CheckConstraint(
                name="inspection_size_or_share",
                condition=models.Q(sample_size__isnull=False) | models.Q(sample_share__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLIANT = "compliant", _("No problems found")
    ISSUES = "issues", _("Problems found")
    UNREACHABLE = "unreachable", _("Cannot be reached at its registered address")


class InspectionItem(models.Model):
    inspection = models.ForeignKey(RandomInspection, on_delete=models.CASCADE, related_name="items")
    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=12, choices=InspectionResult.choices,
                              default=InspectionResult.PENDING)
    findings = models.TextField(_("findings"), blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["inspection", "organization__uscc"]
        verbose_name = _("inspected organization")
        verbose_name_plural = _("inspected organizations")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "organization"], name="inspection_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.organization_id}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    OVERDUE = "overdue", _("Overdue")


class RectificationNotice(models.Model):
    """整改通知: issued after an inspection or a failed report, due in working days."""

    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT,
                                     related_name="rectification_notices")
    inspection_item = models.ForeignKey(InspectionItem, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="notices")
    annual_report = models.ForeignKey(AnnualReport, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="notices")
    requirements = models.TextField(_("requirements"))
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due"))
    due_provisional = models.BooleanField(default=False)
    # Kept so a provisional due date can be recounted once the year's holidays are entered.
    working_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        indexes = [models.Index(fields=["status", "due_on"], name="rectification_due")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.due_on}"


class DormancyGround(models.TextChoices):
    """民发〔2021〕63号 grounds (domain-rules.md §3)."""

    REPORTS_MISSED = "reports_missed", _("Missed the last two years' annual reports")
    NO_ACTIVITY_FIRST_YEAR = "no_activity_first_year", _("No activity within one year of registration")
    NO_ACTIVITY = "no_activity", _("No activity within its business scope in the last two reports")
    UNREACHABLE = "unreachable", _("Cannot be reached at its address or through its legal representative")


class DormancyOutcome(models.TextChoices):
    RECTIFY = "rectify", _("Order rectification")
    DEREGISTER = "deregister", _("Deregistration")
    CANCEL = "cancel", _("Cancel registration")
    REVOKE = "revoke", _("Revoke certificate")
    NOT_DORMANT = "not_dormant", _("Not dormant")


class DormancyFinding(models.Model):
    """An organization the nightly scan found meeting a dormancy ground, with the evidence,
    until an officer chooses an outcome."""

    organization = models.OneToOneField("registry.Organization", on_delete=models.PROTECT,
                                        related_name="dormancy")
    grounds = models.JSONField(_("grounds"), default=list)  # [{"ground": key, "evidence": {...}}]
    first_found_on = models.DateField(_("first found"))
    last_found_on = models.DateField(_("last found"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=DormancyOutcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-last_found_on", "organization_id"]
        verbose_name = _("dormancy finding")
        verbose_name_plural = _("dormancy findings")
        indexes = [models.Index(fields=["outcome", "last_found_on"], name="dormancy_open")]

    def __str__(self) -> str:
        return str(self.organization_id)


# Kept beside ImportJob rather than at the head of the file: several modules of the annual app
# append their models here, and this is the only one that needs it.
import uuid  # noqa: E402


class ImportJob(models.Model):
    """A bulk import of annual work reports from an Excel file (paper reports entered by the
    registration authority, annual.imports), checked and applied by the task worker, with its
    progress for the page that waits on it. Only its requester may see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking the file")
        APPLYING = "applying", _("Saving the reports")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey("accounts.User", verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+")
    file = models.FileField(_("file"), upload_to="imports/", blank=True)  # blank once purged
    original_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    language = models.CharField(max_length=16, blank=True)  # the requester's, for the error messages
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first 1,000: {row, column, header, value, reason}
    error_file = models.FileField(upload_to="imports/errors/", blank=True)
    failure = models.TextField(blank=True)  # why a run failed other than by row errors
    created_count = models.PositiveIntegerField(_("reports created"), default=0)
    updated_count = models.PositiveIntegerField(_("reports updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("reports unchanged"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(_("files deleted"), null=True, blank=True)  # the retention period ended

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("annual report import")
        verbose_name_plural = _("annual report imports")
        indexes = [
            # The import page's "your recent imports" list.
            models.Index(fields=["requested_by", "-created_at"], name="import_job_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.VALIDATING, self.Status.APPLYING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0
