"""Credit information, penalties and the two public lists (domain-rules.md §2, 民政部令第60号).

What is already recorded elsewhere is not copied here: registration items (基础信息) live in the
registry, annual reports and inspections in ``annual``; ``credit.selectors.credit_records``
reads them as credit information. This module stores what only it knows: penalties, records
entered or imported by officers (court defaulters, commendations, other grounds…), the list
entries with the grounds that put an organization there, removal applications, bad records
of responsible persons, integrity commitments, member credit files and issued credit reports.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.core.fields import IdentityCharField


class CreditCategory(models.TextChoices):
    BASIC = "basic", _("Basic information")
    ANNUAL = "annual", _("Annual report information")
    INSPECTION = "inspection", _("Administrative inspection information")
    PENALTY = "penalty", _("Administrative penalty information")
    OTHER = "other", _("Other information")


class RecordKind(models.TextChoices):
    """Kinds of officer-entered credit records. Some are evidence for a list ground (named in
    credit.rules), the others are information only."""

    EVALUATION_GRADE = "evaluation_grade", _("Evaluation grade")
    COMMENDATION = "commendation", _("Commendation")
    GOVERNMENT_SERVICE = "government_service", _("Government purchase or commissioned work undertaken")
    PARTY_ORG_MISSING = "party_org_missing", _("No Party organization set up as required")
    FUNDRAISING_LAPSED = "fundraising_lapsed", _("Public-fundraising charity no longer qualifies or has not raised funds for 6 months")
    DISCLOSURE_FAILURE = "disclosure_failure", _("Failed to disclose required information")
    OTHER_ABNORMAL = "other_abnormal", _("Other abnormal-list ground set by law or regulation")
    FRAUDULENT_CHANGE = "fraudulent_change", _("Change registration obtained by fraud and revoked")
    COURT_DEFAULTER = "court_defaulter", _("Listed by a court as a judgment defaulter")
    OTHER_DISHONEST = "other_dishonest", _("Other dishonesty-list ground set by law or regulation")
    OTHER = "other", _("Other information")


RECORD_CATEGORY = {
    RecordKind.EVALUATION_GRADE: CreditCategory.OTHER,
    RecordKind.COMMENDATION: CreditCategory.OTHER,
    RecordKind.GOVERNMENT_SERVICE: CreditCategory.OTHER,
    RecordKind.PARTY_ORG_MISSING: CreditCategory.INSPECTION,
    RecordKind.FUNDRAISING_LAPSED: CreditCategory.INSPECTION,
    RecordKind.DISCLOSURE_FAILURE: CreditCategory.INSPECTION,
    RecordKind.OTHER_ABNORMAL: CreditCategory.OTHER,
    RecordKind.FRAUDULENT_CHANGE: CreditCategory.BASIC,
    RecordKind.COURT_DEFAULTER: CreditCategory.OTHER,
    RecordKind.OTHER_DISHONEST: CreditCategory.OTHER,
    RecordKind.OTHER: CreditCategory.OTHER,
}


class CreditRecord(models.Model):
    """Credit information entered or imported by an officer (other departments' decisions,
    court defaulter lists, commendations, evaluation grades…)."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="credit_records")
    category = models.CharField(_("category"), max_length=16, choices=CreditCategory.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=RecordKind.choices)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("Where the information came from."))
    deciding_body = IdentityCharField(_("deciding body"), max_length=128)
    occurred_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    resolved_on = models.DateField(_("ended on"), null=True, blank=True,
                                   help_text=_("The condition ended (e.g. the court lifted the listing)."))
    is_public = models.BooleanField(_("public"), default=True)
    # The row's key in an imported file, so importing the same file twice adds nothing.
    import_key = models.CharField(max_length=64, blank=True, default="")
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "import_key"], condition=~Q(import_key=""),
                                    name="credit_record_import_once"),
        ]
        # The rule engine's lookups: open records of a ground's kind.
        indexes = [models.Index(fields=["kind", "occurred_on"], name="credit_record_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def title_display(self) -> str:
        """The title in the reader's language when code wrote it (credit.rules.facts_display)."""
        from gongxin.credit.rules import facts_display

        return facts_display(self.title)

    @property
    def content_display(self) -> str:
        from gongxin.credit.rules import facts_display

        return facts_display(self.content)


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    CONFISCATION = "confiscation", _("Confiscation of illegal gains or property")
    SUSPENSION = "suspension", _("Suspension of activities for a fixed period")
    REGISTRATION_CANCELLED = "registration_cancelled", _("Cancellation of registration")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Revocation of the registration certificate")


class Penalty(models.Model):
    """An administrative penalty (行政处罚), decided through ``credit.services.penalty_decide``
    by the registration authority or recorded from another department."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(_("penalty"), max_length=24, choices=PenaltyKind.choices)
    decision_number = models.CharField(_("decision number"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    suspension_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspension_until = models.DateField(_("suspended until"), null=True, blank=True)
    facts = models.TextField(_("facts"))
    legal_basis = models.TextField(_("legal basis"))
    decided_on = models.DateField(_("decided on"))
    deciding_body = IdentityCharField(_("deciding body"), max_length=128)
    # The registration authority whose officer recorded it (scope); the deciding body may be
    # another department (ground 5: a warning or fine "from any department").
    authority = models.ForeignKey("core.Region", verbose_name=_("recorded by authority"), on_delete=models.PROTECT,
                                  related_name="+")
    is_public = models.BooleanField(_("public"), default=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("administrative penalty")
        verbose_name_plural = _("administrative penalties")
        constraints = [
            models.CheckConstraint(name="penalty_amount_for_fines",
                                   condition=~Q(kind__in=["fine", "confiscation"]) | Q(amount__gt=0)),
            models.CheckConstraint(name="penalty_suspension_period",
                                   condition=~Q(kind="suspension") | Q(suspension_from__isnull=False,
                                                                       suspension_until__isnull=False,
                                                                       suspension_until__gte=models.F("suspension_from"))),
        ]
        indexes = [models.Index(fields=["kind", "decided_on"], name="penalty_kind_date")]

    def __str__(self) -> str:
        return self.decision_number


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal activity list")
    DISHONEST = "dishonest", _("Serious violation and dishonesty list")


class ListingStatus(models.TextChoices):
    NOTICED = "noticed", _("Notified, objection period")
    LISTED = "listed", _("Listed")
    REMOVED = "removed", _("Removed")
    WITHDRAWN = "withdrawn", _("Not listed")


OPEN_STATUSES = (ListingStatus.NOTICED, ListingStatus.LISTED)


class RemovalKind(models.TextChoices):
    APPLICATION = "application", _("On application, after verification")
    AUTOMATIC = "automatic", _("Automatically, 6 months after listing with nothing to rectify")
    TRANSFERRED = "transferred", _("Moved to the serious violation and dishonesty list")
    DEREGISTERED = "deregistered", _("Deregistration completed")
    CORRECTED = "corrected", _("Listed in error, corrected")


class ListEntry(models.Model):
    """One organization's stay on one list, from the notice before listing to the removal.

    ``clock_from`` is when the listing period runs from: the listing date, moved forward by a
    new ground while listed (domain-rules §2: a new ground restarts the clock). At most one
    open (noticed or listed) entry per organization and list."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="list_entries")
    list = models.CharField(_("list"), max_length=12, choices=CreditList.choices)
    status = models.CharField(_("status"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.NOTICED)
    authority = models.ForeignKey("core.Region", verbose_name=_("listing authority"), on_delete=models.PROTECT,
                                  related_name="+")
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    # The notice (告知): facts, reasons and basis are the grounds; the objection period follows.
    notice_number = models.CharField(_("notice number"), max_length=64, blank=True)
    noticed_on = models.DateField(_("notified on"))
    notice_by_announcement = models.BooleanField(
        _("notified by public announcement"), default=False,
        help_text=_("The organization cannot be reached at its registered address."))
    objection_due = models.DateField(_("objections until"))
    objection_due_provisional = models.BooleanField(default=False)
    objection = models.TextField(_("objection"), blank=True)
    objection_at = models.DateTimeField(_("objection received"), null=True, blank=True)
    objection_answer = models.TextField(_("answer to the objection"), blank=True)
    # The listing.
    reason = models.TextField(_("reason for listing"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    listed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  help_text=_("Empty when listed automatically."))
    clock_from = models.DateField(_("period runs from"), null=True, blank=True)
    # The removal.
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_kind = models.CharField(_("removal"), max_length=16, choices=RemovalKind.choices, blank=True)
    removal_reason = models.TextField(_("reason for removal"), blank=True)
    removed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transferred_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-noticed_on", "-id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(fields=["organization", "list"], condition=Q(status__in=["noticed", "listed"]),
                                    name="list_entry_one_open"),
            models.CheckConstraint(name="list_entry_listed_has_date",
                                   condition=~Q(status__in=["listed", "removed"]) | Q(listed_on__isnull=False,
                                                                                     clock_from__isnull=False)),
            models.CheckConstraint(name="list_entry_removed_has_date",
                                   condition=~Q(status="removed") | Q(removed_on__isnull=False)),
        ]
        indexes = [
            # The public list pages: listed entries of a list, newest first.
            models.Index(fields=["list", "status", "-listed_on"], name="list_entry_public"),
            # The officer worklist: open entries of a jurisdiction by objection deadline.
            models.Index(fields=["status", "region_prefix", "objection_due"], name="list_entry_worklist"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.list} {self.status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language (credit.engine.reason_display); ``reason`` stays the record."""
        from gongxin.credit.engine import reason_display

        return reason_display(self.reason)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AbnormalListManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(list=CreditList.ABNORMAL)


class DishonestListManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(list=CreditList.DISHONEST)


class AbnormalListEntry(ListEntry):
    """活动异常名录 entries (the glossary's name; one table with DishonestListEntry)."""

    objects = AbnormalListManager()

    class Meta:
        proxy = True
        verbose_name = _("abnormal activity list entry")
        verbose_name_plural = _("abnormal activity list")


class DishonestListEntry(ListEntry):
    """严重违法失信名单 entries."""

    objects = DishonestListManager()

    class Meta:
        proxy = True
        verbose_name = _("serious violation and dishonesty list entry")
        verbose_name_plural = _("serious violation and dishonesty list")


class ListingGround(models.Model):
    """One ground of a list entry with the evidence the rule found. A piece of evidence puts an
    organization on a list once: (organization, list, ground, evidence) is unique across all its
    entries, which is what makes re-running the engine change nothing."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="grounds")
    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT, related_name="+")
    list = models.CharField(max_length=12, choices=CreditList.choices)
    ground = models.CharField(_("ground"), max_length=4)
    evidence_key = models.CharField(max_length=64)
    facts = models.TextField(_("facts"))
    applies_from = models.DateField(_("applies from"))
    needs_rectification = models.BooleanField(_("needs rectification"), default=False)
    added_on = models.DateField(_("added on"))
    cured_on = models.DateField(_("rectified on"), null=True, blank=True)
    # A removal application approved while other grounds still hold removes the rectified
    # grounds only: the entry stays listed on the others (credit.services.removal_decide).
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        ordering = ["entry", "applies_from", "id"]
        verbose_name = _("listing ground")
        verbose_name_plural = _("listing grounds")
        constraints = [
            models.UniqueConstraint(fields=["organization", "list", "ground", "evidence_key"], name="ground_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ground} {self.evidence_key}"

    @property
    def facts_display(self) -> str:
        """The facts in the reader's language (credit.rules.facts_display); ``facts`` stays the record."""
        from gongxin.credit.rules import facts_display

        return facts_display(self.facts)


class RemovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    APPROVED = "approved", _("Removed")
    PARTIAL = "partial", _("Rectified grounds removed, still listed on the others")
    REJECTED = "rejected", _("Refused")


class RemovalApplication(models.Model):
    """An organization's application to be removed from a list, verified by the authority within
    5 working days (``due_on``)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="removal_applications")
    applicant = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("what was done"))
    status = models.CharField(_("status"), max_length=12, choices=RemovalStatus.choices, default=RemovalStatus.PENDING)
    submitted_on = models.DateField(_("submitted on"))
    due_on = models.DateField(_("verification due"))
    due_provisional = models.BooleanField(default=False)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("removal application")
        verbose_name_plural = _("removal applications")
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=Q(status="pending"), name="removal_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.status}"


class CreditRun(models.Model):
    """One run of the rule engine (nightly, ``gongxin credit evaluate``, or one organization on
    demand), with what it did."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    today = models.DateField()
    scope = models.CharField(max_length=64, blank=True, help_text="region prefix, or uscc:<code>")
    counts = models.JSONField(default=dict)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("credit rule run")
        verbose_name_plural = _("credit rule runs")

    def __str__(self) -> str:
        return f"{self.today} {self.scope or 'all'}"


class BannedOrganization(models.Model):
    """An illegal social organization banned (取缔) by a civil-affairs authority."""

    name = IdentityCharField(_("name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    organization = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    region = models.ForeignKey("core.Region", verbose_name=_("banning authority"), on_delete=models.PROTECT,
                               related_name="+")
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    decision_number = models.CharField(_("decision number"), max_length=64, unique=True)
    banned_on = models.DateField(_("banned on"))
    facts = models.TextField(_("facts"))
    legal_basis = models.TextField(_("legal basis"))
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-banned_on", "-id"]
        verbose_name = _("banned illegal organization")
        verbose_name_plural = _("banned illegal organizations")

    def __str__(self) -> str:
        return self.name


class PersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    RESPONSIBLE_PERSON = "responsible_person", _("Responsible person")
    FOUNDER = "founder", _("Founder")


class PersonBadRecord(models.Model):
    """A bad record of a responsible person or founder (发起人/负责人不良记录, seed 003 item 9),
    created when their organization is penalized or listed. Persons are known by name only
    (the registry keeps no identity numbers), so a match on a new application is a flag for the
    officer to check, not a refusal."""

    name = IdentityCharField(_("name"), max_length=64, db_index=True)
    role = models.CharField(_("role"), max_length=24, choices=PersonRole.choices)
    position = models.CharField(_("position"), max_length=64, blank=True)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=32, help_text="penalty:<id> or listing:<id>")
    reason = models.CharField(_("reason"), max_length=256)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        ordering = ["-recorded_on", "id"]
        verbose_name = _("bad record of a responsible person")
        verbose_name_plural = _("bad records of responsible persons")
        constraints = [models.UniqueConstraint(fields=["name", "organization", "source"], name="bad_record_once")]

    def __str__(self) -> str:
        return self.name


class CommitmentText(models.Model):
    """The integrity commitment text (诚信自律承诺, seed 002) a jurisdiction sets; organizations
    sign the latest one in force for their registration authority or its enclosing regions."""

    region = models.ForeignKey("core.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("title"), max_length=128)
    body = models.TextField(_("text"))
    effective_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("integrity commitment text")
        verbose_name_plural = _("integrity commitment texts")

    def __str__(self) -> str:
        return self.title


class IntegrityCommitment(models.Model):
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="integrity_commitments")
    text = models.ForeignKey(CommitmentText, verbose_name=_("commitment"), on_delete=models.PROTECT, related_name="+")
    signatory = IdentityCharField(_("signed by"), max_length=64)
    signatory_position = models.CharField(_("position"), max_length=64)
    signed_at = models.DateTimeField(_("signed"))
    signed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("integrity commitment")
        verbose_name_plural = _("integrity commitments")
        constraints = [models.UniqueConstraint(fields=["organization", "text"], name="commitment_signed_once")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.text_id}"


class ReputationRating(models.TextChoices):
    A = "A", _("A — excellent")
    B = "B", _("B — good")
    C = "C", _("C — fair")
    D = "D", _("D — poor")


class MemberCreditFile(models.Model):
    """An industry association's credit file on a member enterprise (信誉档案, seed 000 §5): its
    practice, tax, law-abidance and financial management, and its reputation rating. Visible to
    the association and its officers only."""

    association = models.ForeignKey("registry.Organization", verbose_name=_("association"),
                                     on_delete=models.PROTECT, related_name="member_credit_files")
    member_name = IdentityCharField(_("member enterprise"), max_length=128)
    member_uscc = models.CharField(_("member's unified social credit code"), max_length=18)
    practice = models.TextField(_("practice"), blank=True)
    tax = models.TextField(_("tax payment"), blank=True)
    law_abidance = models.TextField(_("law-abidance"), blank=True)
    financial_management = models.TextField(_("financial management"), blank=True)
    rating = models.CharField(_("reputation rating"), max_length=1, choices=ReputationRating.choices)
    rated_on = models.DateField(_("rated on"))
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["association", "member_name"]
        verbose_name = _("member credit file")
        verbose_name_plural = _("member credit files")
        constraints = [models.UniqueConstraint(fields=["association", "member_uscc"], name="member_file_once")]

    def __str__(self) -> str:
        return self.member_name


class CreditReport(models.Model):
    """An issued credit report (信用报告) PDF. ``code`` is printed on it; the public verification
    page shows what was issued under that code and the PDF's SHA-256, so a bid reviewer can
    tell a genuine report from an edited one."""

    code = models.CharField(_("verification code"), max_length=20, unique=True)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="credit_reports")
    generated_at = models.DateTimeField(_("issued"))
    generated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    sha256 = models.CharField(max_length=64)
    summary = models.JSONField(_("summary"), default=dict)
    file = models.FileField(upload_to="credit-reports/%Y/")

    class Meta:
        ordering = ["-generated_at"]
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")

    def __str__(self) -> str:
        return self.code
