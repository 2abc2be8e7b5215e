"""Government function transfer and purchase of services (domain-rules §5, seeds 001, 002, 004).

Three public catalogues per jurisdiction (transferable functions, purchasable services,
qualified organizations), purchase projects from publicity to performance evaluation, and the
OCDS releases that publish every step.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.core.fields import IdentityCharField
from gongxin.core.regions import prefix_of


class RegionPrefixed:
    """A model with ``region`` and its denormalised ``region_prefix`` (a region filter is then a
    range scan): the prefix follows the region on save (bulk inserts set it themselves)."""

    def save(self, *args, **kwargs):
        if self.region_id:
            self.region_prefix = prefix_of(self.region_id)
        super().save(*args, **kwargs)


class Department(RegionPrefixed, models.Model):
    """A purchasing body (政府购买主体): a government department of a region. Purchaser users
    belong to one (``User.department``) and see only its projects."""

    name = IdentityCharField(_("name"), max_length=128)
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    # Denormalised region prefix, as on Organization: public filters by region are a range scan.
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True,
                            help_text=_("The department's own code (11… for government bodies), used as the OCDS buyer id."))

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- Catalogues --------------------------------------------------------------------------------


class CatalogueKind(models.TextChoices):
    FUNCTIONS = "functions", _("Transferable government functions")
    SERVICES = "services", _("Purchasable services")
    QUALIFIED = "qualified", _("Qualified organizations")


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class Catalogue(RegionPrefixed, models.Model):
    """One batch of one catalogue of one jurisdiction (珠海市第5批承接资质社会组织目录).

    Functions and services catalogues are versioned: publishing a new batch of the same kind
    supersedes the previous one. Qualified-organization batches accumulate (every published
    batch stays in force; an organization leaves only by withdrawal)."""

    kind = models.CharField(_("catalogue"), max_length=16, choices=CatalogueKind.choices)
    region = models.ForeignKey("core.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                               related_name="+")
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    batch = models.PositiveSmallIntegerField(_("batch"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=CatalogueStatus.choices,
                              default=CatalogueStatus.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        ordering = ["kind", "-year", "-batch"]
        verbose_name = _("catalogue")
        verbose_name_plural = _("catalogues")
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "batch"], name="catalogue_unique_batch"),
            models.CheckConstraint(name="catalogue_published_has_date",
                                   condition=Q(status="draft") | Q(published_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")
    AUTHORIZE = "authorize", _("Authorize")
    ENTRUST = "entrust", _("Entrust")


class TransferableFunction(models.Model):
    """An item of the transferable government functions catalogue (政府职能转移目录)."""

    catalogue = models.ForeignKey(Catalogue, verbose_name=_("catalogue"), on_delete=models.CASCADE,
                                  related_name="functions")
    code = models.CharField(_("item code"), max_length=32)
    name = IdentityCharField(_("function"), max_length=200)
    department_name = IdentityCharField(_("department"), max_length=128)
    mode = models.CharField(_("transfer mode"), max_length=16, choices=TransferMode.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("transferable function")
        verbose_name_plural = _("transferable functions")
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="function_unique_code")]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """The category tree of the purchasable services catalogue: 基本公共服务 > 公共教育 > …
    ``code`` is hierarchical (A, A01, A0101) so a subtree is a prefix."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=128)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return self.name


class PurchasableService(models.Model):
    """An item of the guiding catalogue of purchasable services (政府购买服务指导目录)."""

    catalogue = models.ForeignKey(Catalogue, verbose_name=_("catalogue"), on_delete=models.CASCADE,
                                  related_name="services")
    code = models.CharField(_("item code"), max_length=32)
    name = IdentityCharField(_("service"), max_length=200)
    category = models.ForeignKey(ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="services")
    department_name = IdentityCharField(_("department"), max_length=128, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("purchasable service")
        verbose_name_plural = _("purchasable services")
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="service_unique_code")]

    def __str__(self) -> str:
        return self.name


class QualificationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("status", "Submitted")
    APPROVED = "approved", _("Approved, awaiting publication")
    REJECTED = "rejected", pgettext_lazy("status", "Rejected")
    PUBLISHED = "published", _("In the catalogue")
    WITHDRAWN = "withdrawn", _("Withdrawn from the catalogue")


class QualificationApplication(RegionPrefixed, models.Model):
    """An organization's application to enter the qualified organizations catalogue
    (承接政府职能转移和购买服务资质). The eligibility checks run when it is submitted and again
    when the officer decides; ``checks`` keeps the last result with its reasons in words.
    Publishing a batch moves every approved application into that ``catalogue``."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="qualification_applications")
    region = models.ForeignKey("core.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                               related_name="+")
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    service_areas = models.TextField(_("services the organization can undertake"), blank=True)
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=QualificationStatus.choices,
                              default=QualificationStatus.SUBMITTED, db_index=True)
    checks = models.JSONField(_("eligibility checks"), default=list, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    catalogue = models.ForeignKey(Catalogue, verbose_name=_("catalogue batch"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="qualified")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("qualification application")
        verbose_name_plural = _("qualification applications")
        constraints = [
            # One live application or catalogue entry per organization and jurisdiction: a second
            # submission while one is open is refused (and a double click is idempotent).
            models.UniqueConstraint(fields=["organization", "region"],
                                    condition=Q(status__in=["submitted", "approved", "published"]),
                                    name="qualification_one_open"),
            models.CheckConstraint(name="qualification_published_has_catalogue",
                                   condition=~Q(status="published") | Q(catalogue__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_status_display()})"


class FunctionTransferStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    REVOKED = "revoked", _("Revoked")
    ENDED = "ended", _("Ended")


class FunctionTransfer(models.Model):
    """A transferable function actually handed to an organization. The department supervises it
    for a 3-year guidance period (seed 004: 设立3年监管指导期) and may take it back when the
    organization performs poorly (可按有关规定和程序收回相应职能)."""

    function = models.ForeignKey(TransferableFunction, verbose_name=_("function"), on_delete=models.PROTECT,
                                 related_name="transfers")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="function_transfers")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="function_transfers")
    started_on = models.DateField(_("transferred on"))
    guidance_until = models.DateField(_("guidance period ends"))
    status = models.CharField(_("status"), max_length=16, choices=FunctionTransferStatus.choices,
                              default=FunctionTransferStatus.ACTIVE)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("function transfer")
        verbose_name_plural = _("function transfers")
        constraints = [
            models.UniqueConstraint(fields=["function", "organization"], condition=Q(status="active"),
                                    name="function_transfer_one_active"),
            models.CheckConstraint(name="function_transfer_guidance_after_start",
                                   condition=Q(guidance_until__gte=models.F("started_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.function} → {self.organization}"


# --- Purchase projects -------------------------------------------------------------------------


class PurchaseMethod(models.TextChoices):
    """Seed 004: 公开招标、项目发包、项目申请、委托管理; competitive consultation is the usual
    method below the public-tender threshold (政府采购法)."""

    PUBLIC_TENDER = "public_tender", _("Public tender")
    COMPETITIVE_CONSULTATION = "competitive_consultation", _("Competitive consultation")
    PROJECT_CONTRACTING = "project_contracting", _("Project contracting")
    PROJECT_APPLICATION = "project_application", _("Project application")
    ENTRUSTED_MANAGEMENT = "entrusted_management", _("Entrusted management")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLICIZED = "publicized", _("Publicized")  # 公示: applications open, procurement not started
    AWARDED = "awarded", _("Awarded")
    CONTRACTED = "contracted", _("Contracted")  # service under way: milestones and tracking reports
    COMPLETED = "completed", _("Completed")  # service delivered, performance evaluation pending
    EVALUATED = "evaluated", _("Evaluated")
    CANCELLED = "cancelled", _("Cancelled")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful (no award)")


class PurchaseProject(RegionPrefixed, models.Model):
    """A purchase of services project (购买服务项目) of one department.

    The 15-day rule (seed 002, domain-rules §5): ``procurement_starts_on`` is at least
    ``JurisdictionPolicy.procurement_publicity_days`` (15) calendar days after ``publicized_on``;
    ``project_publicize`` refuses less and the database refuses it too for the default."""

    ocid = models.CharField("OCID", max_length=64, unique=True, editable=False)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="projects")
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    service = models.ForeignKey(PurchasableService, verbose_name=_("catalogue service"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="projects")
    # Denormalised from the service for the public filters (a category subtree is a prefix).
    category = models.ForeignKey(ServiceCategory, verbose_name=_("service category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    function = models.ForeignKey(TransferableFunction, verbose_name=_("transferred function"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="projects",
                                 help_text=_("When the project carries out a transferred function."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    method = models.CharField(_("method"), max_length=32, choices=PurchaseMethod.choices)
    # Eligibility requirements beyond "not on a credit list", which always applies.
    require_qualified = models.BooleanField(_("only organizations in the qualified catalogue"), default=True)
    min_grade = models.PositiveSmallIntegerField(_("minimum evaluation grade"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(5)])
    requirements = models.TextField(_("other requirements"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True,
                                            help_text=_("Budget year; the year of publicity for the statistics."))
    publicized_on = models.DateField(_("publicized on"), null=True, blank=True)
    procurement_starts_on = models.DateField(_("procurement starts on"))
    bid_deadline = models.DateField(_("application deadline"))
    service_starts_on = models.DateField(_("service starts on"))
    service_ends_on = models.DateField(_("service ends on"))
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices,
                              default=ProjectStatus.DRAFT, db_index=True)
    # The award (denormalised from the winning bid for the statistics and public lists; an
    # award recorded from history may name a supplier that is not a registered organization).
    awarded_organization = models.ForeignKey("registry.Organization", verbose_name=_("awarded to"), null=True,
                                             blank=True, on_delete=models.PROTECT, related_name="awarded_projects")
    awarded_supplier_name = IdentityCharField(_("supplier"), max_length=200, blank=True)
    awarded_supplier_id = models.CharField(_("supplier code"), max_length=18, blank=True)
    awarded_amount = models.DecimalField(_("awarded amount (yuan)"), max_digits=14, decimal_places=2, null=True,
                                         blank=True)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    award_reason = models.TextField(_("reasons for the award"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        ordering = ["-publicized_on", "-id"]
        verbose_name = _("purchase project")
        verbose_name_plural = _("purchase projects")
        indexes = [
            # The public list by year and the per-year statistics.
            models.Index(fields=["year", "status"], name="project_year_status"),
            models.Index(fields=["department", "status"], name="project_department"),
            # The public list's default order (newest publicity first), scanned backwards.
            models.Index(fields=["publicized_on", "id"], name="project_publicized"),
        ]
        constraints = [
            models.CheckConstraint(name="project_dates_in_order", condition=(
                Q(bid_deadline__gte=models.F("procurement_starts_on"))
                & Q(service_ends_on__gte=models.F("service_starts_on")))),
            # A draft may be cancelled without ever having been publicized.
            models.CheckConstraint(name="project_publicized_has_date",
                                   condition=Q(status__in=["draft", "cancelled"]) | Q(publicized_on__isnull=False)),
            models.CheckConstraint(name="project_award_complete", condition=(
                ~Q(status__in=["awarded", "contracted", "completed", "evaluated"])
                | (Q(awarded_amount__isnull=False) & Q(awarded_on__isnull=False) & ~Q(awarded_supplier_name="")))),
        ]

    def __str__(self) -> str:
        return self.title


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("status", "Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    AWARDED = "awarded", _("Awarded")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


class Bid(models.Model):
    """An organization's application or bid for a project, with its documents. ``checks`` keeps
    the eligibility result (with reasons) computed when it was submitted; the award computes
    it again."""

    project = models.ForeignKey(PurchaseProject, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="bids")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="bids")
    amount = models.DecimalField(_("proposed amount (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    proposal = models.TextField(_("proposal"))
    status = models.CharField(_("status"), max_length=16, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    checks = models.JSONField(_("eligibility checks"), default=list, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            # A double submission is idempotent: one bid per organization and project.
            models.UniqueConstraint(fields=["project", "organization"], name="bid_one_per_organization"),
            models.UniqueConstraint(fields=["project"], condition=Q(status="awarded"), name="bid_one_awarded"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.project}"


class ProjectDocument(models.Model):
    """A file attached to a project: the department's tender documents, a bid's documents, the
    signed contract, a tracking report's evidence."""

    class Kind(models.TextChoices):
        TENDER = "tender", _("Tender documents")
        BID = "bid", _("Bid documents")
        CONTRACT = "contract", _("Contract")
        REPORT = "report", _("Tracking report")
        EVALUATION = "evaluation", _("Evaluation report")

    project = models.ForeignKey(PurchaseProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="documents")
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), null=True, blank=True, on_delete=models.CASCADE,
                            related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="procurement/%Y/")
    sha256 = models.CharField(max_length=64, editable=False)
    is_public = models.BooleanField(_("public"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Contract(models.Model):
    project = models.OneToOneField(PurchaseProject, verbose_name=_("project"), on_delete=models.PROTECT,
                                   related_name="contract")
    number = models.CharField(_("contract number"), max_length=64)
    signed_on = models.DateField(_("signed on"))
    amount = models.DecimalField(_("contract amount (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [models.CheckConstraint(name="contract_period_order",
                                              condition=Q(ends_on__gte=models.F("starts_on")))]

    def __str__(self) -> str:
        return self.number


class Milestone(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")

    project = models.ForeignKey(PurchaseProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    payment = models.DecimalField(_("payment (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class TrackingReport(models.Model):
    """跟踪 during the service: the organization reports progress, the department notes
    what it found."""

    class Author(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        DEPARTMENT = "department", pgettext_lazy("procurement", "Department")

    project = models.ForeignKey(PurchaseProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="tracking_reports")
    milestone = models.ForeignKey(Milestone, verbose_name=_("milestone"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="reports")
    author = models.CharField(_("by"), max_length=16, choices=Author.choices)
    reported_on = models.DateField(_("date"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    content = models.TextField(_("report"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reported_on", "id"]
        verbose_name = _("tracking report")
        verbose_name_plural = _("tracking reports")

    def __str__(self) -> str:
        return f"{self.project} {self.reported_on}"


class IndicatorSet(models.Model):
    """A performance-evaluation indicator set (绩效评价指标体系, seed 002) of a jurisdiction:
    ``indicators`` is a list of {"code", "name", "weight", "description"} whose weights add up
    to 100."""

    name = models.CharField(_("name"), max_length=128)
    region = models.ForeignKey("core.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                               related_name="+")
    indicators = models.JSONField(_("indicators"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        items = self.indicators if isinstance(self.indicators, list) else None
        if not items or not all(isinstance(i, dict) and i.get("code") and i.get("name")
                                and isinstance(i.get("weight"), int | float) and i["weight"] > 0 for i in items):
            raise ValidationError({"indicators": _("A list of indicators, each with a code, a name and a positive "
                                                   "weight.")})
        if len({i["code"] for i in items}) != len(items):
            raise ValidationError({"indicators": _("Indicator codes must be unique.")})
        if sum(i["weight"] for i in items) != 100:
            raise ValidationError({"indicators": _("The weights must add up to 100.")})


class PerformanceRating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # ≥ 90
    GOOD = "good", _("Good")  # 80–89
    PASS = "pass", _("Pass")  # 60–79
    FAIL = "fail", _("Fail")  # < 60


class PerformanceEvaluation(models.Model):
    """绩效评价 after completion: scores per indicator of an ``IndicatorSet``, by the department
    or by an assigned third-party evaluator. Submitting it makes the project EVALUATED and writes
    a credit record (RecordKind.GOVERNMENT_SERVICE) for the organization."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to the evaluator")
        SUBMITTED = "submitted", pgettext_lazy("status", "Submitted")

    project = models.OneToOneField(PurchaseProject, verbose_name=_("project"), on_delete=models.PROTECT,
                                   related_name="evaluation")
    indicator_set = models.ForeignKey(IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT,
                                      related_name="+")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("third-party evaluator"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="performance_evaluations")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.DecimalField(_("total score"), max_digits=5, decimal_places=2, null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=PerformanceRating.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    credit_record = models.ForeignKey("credit.CreditRecord", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")

    class Meta:
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")
        constraints = [models.CheckConstraint(
            name="evaluation_submitted_complete",
            condition=~Q(status="submitted") | (Q(total__isnull=False) & ~Q(rating="") & Q(evaluated_on__isnull=False)))]

    def __str__(self) -> str:
        return f"{self.project}: {self.total}"


# --- Open Contracting Data Standard -------------------------------------------------------------


class OcdsRelease(models.Model):
    """Every OCDS 1.1 release ever published, append-only: the change feed
    (``/api/v1/ocds/releases?since=``), the record packages and the bulk download read these
    rows instead of recomputing history. ``data`` is the complete release (a full snapshot of the
    project at that moment, with the tags of the step that caused it)."""

    ocid = models.CharField(max_length=64, db_index=True)
    project = models.ForeignKey(PurchaseProject, on_delete=models.PROTECT, related_name="releases")
    release_id = models.CharField(max_length=96, unique=True)
    date = models.DateTimeField(db_index=True)
    tags = models.JSONField()
    data = models.JSONField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        # The change feed: WHERE date > since ORDER BY date, id.
        indexes = [models.Index(fields=["date", "id"], name="ocds_release_feed")]

    def __str__(self) -> str:
        return self.release_id
