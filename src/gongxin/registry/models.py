"""The registry of social organizations: the basic section of the national credit platform."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from gongxin.core.fields import IdentityCharField, RowidOneToOneField


class OrgType(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group")
    SOCIAL_SERVICE_AGENCY = "social_service_agency", _("Social service agency")
    FOUNDATION = "foundation", _("Foundation")


# Position 2 of a civil-affairs USCC (domain-rules.md §1).
USCC_TYPE_DIGIT = {
    OrgType.SOCIAL_GROUP: "1",
    OrgType.SOCIAL_SERVICE_AGENCY: "2",
    OrgType.FOUNDATION: "3",
}


class OrgSubtype(models.TextChoices):
    NONE = "", _("None")
    INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _("Chamber of commerce")
    OUT_OF_TOWN_CHAMBER = "out_of_town_chamber", _("Out-of-town chamber of commerce")
    ACADEMIC = "academic", _("Academic society")
    PROFESSIONAL = "professional", _("Professional association")
    FEDERATION = "federation", _("Federation")
    SOCIAL_WORK = "social_work", _("Social work service")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health care")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    SCIENCE_TECH = "science_tech", _("Science and technology")
    PUBLIC_FUNDRAISING = "public_fundraising", _("Public-fundraising foundation")
    NON_PUBLIC_FUNDRAISING = "non_public_fundraising", _("Non-public-fundraising foundation")


SUBTYPES_BY_TYPE = {
    OrgType.SOCIAL_GROUP: [
        OrgSubtype.INDUSTRY_ASSOCIATION, OrgSubtype.CHAMBER_OF_COMMERCE, OrgSubtype.OUT_OF_TOWN_CHAMBER,
        OrgSubtype.ACADEMIC, OrgSubtype.PROFESSIONAL, OrgSubtype.FEDERATION,
    ],
    OrgType.SOCIAL_SERVICE_AGENCY: [
        OrgSubtype.SOCIAL_WORK, OrgSubtype.EDUCATION, OrgSubtype.HEALTH, OrgSubtype.ELDERLY_CARE,
        OrgSubtype.CULTURE_SPORTS, OrgSubtype.SCIENCE_TECH,
    ],
    OrgType.FOUNDATION: [OrgSubtype.PUBLIC_FUNDRAISING, OrgSubtype.NON_PUBLIC_FUNDRAISING],
}


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DEREGISTERED = "deregistered", _("Deregistered")
    REGISTRATION_CANCELLED = "registration_cancelled", _("Registration cancelled")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organizations")
    T = "T", _("International organizations")


class CreditStatus(models.TextChoices):
    """Which public credit list an organization is on (the dishonesty list wins when both)."""

    NORMAL = "", _("Not listed")
    ABNORMAL = "abnormal", _("On the abnormal activity list")
    DISHONEST = "dishonest", _("On the serious violation and dishonesty list")


class SponsorUnit(models.Model):
    """A business supervisory unit (业务主管单位), e.g. 珠海市科学技术协会."""

    name = IdentityCharField(_("name"), max_length=128, unique=True)
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("sponsor unit")
        verbose_name_plural = _("sponsor units")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = IdentityCharField(_("name"), max_length=128, db_index=True)
    former_names = models.JSONField(_("former names"), default=list, blank=True)
    org_type = models.CharField(_("type"), max_length=32, choices=OrgType.choices, db_index=True)
    subtype = models.CharField(_("subtype"), max_length=32, choices=OrgSubtype.choices, blank=True, default="")
    registration_authority = models.ForeignKey(
        "core.Region", verbose_name=_("registration authority"), on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised significant prefix of the authority's region code ("4404" for Zhuhai), so a
    # jurisdiction or region filter is one indexed range scan, not a join over the region tree.
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    sponsor_unit = models.ForeignKey(
        SponsorUnit, verbose_name=_("sponsor unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organizations",
    )
    legal_representative = IdentityCharField(_("legal representative"), max_length=64)
    address = models.CharField(_("address"), max_length=256)
    business_scope = models.TextField(_("business scope"))
    established_on = models.DateField(_("established on"))
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=2
    )
    certificate_number = models.CharField(_("certificate number"), max_length=32, blank=True)
    certificate_valid_from = models.DateField(_("certificate valid from"), null=True, blank=True)
    certificate_valid_to = models.DateField(_("certificate valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=32, choices=OrgStatus.choices, default=OrgStatus.ACTIVE, db_index=True
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True, db_index=True)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    # Written only by credit.services (listing and removal); a facet of the search document.
    credit_status = models.CharField(_("credit status"), max_length=12, choices=CreditStatus.choices, blank=True,
                                     default="")
    party_org_summary = models.CharField(_("Party organization"), max_length=256, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: a stale edit is refused.")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("social organization")
        verbose_name_plural = _("social organizations")
        indexes = [
            # Officer lists and region-filtered search: region_prefix >= '4404' AND region_prefix < '4405'.
            models.Index(fields=["region_prefix", "name"], name="org_region_name"),
        ]
        constraints = [
            models.CheckConstraint(name="org_uscc_length", condition=models.Q(uscc__regex=r"^[0-9A-Z]{18}$")),
            models.CheckConstraint(
                name="org_certificate_validity_order",
                condition=models.Q(certificate_valid_to__isnull=True)
                | models.Q(certificate_valid_from__isnull=True)
                | models.Q(certificate_valid_to__gte=models.F("certificate_valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    # Labels by enum lookup: get_FOO_display() hashes every choice on each call, which showed
    # up as half of the search API's Python time (20 rows x 3 labels).
    @property
    def type_label(self):
        return OrgType(self.org_type).label

    @property
    def subtype_label(self):
        return OrgSubtype(self.subtype).label if self.subtype else ""

    @property
    def status_label(self):
        return OrgStatus(self.status).label

    @property
    def registration_authority_name(self) -> str:
        return authority_name(self.registration_authority)


def authority_name(region) -> str:
    """The civil-affairs body of a region: 广东省民政厅, 珠海市民政局, 香洲区民政局, 中华人民共和国民政部
    by the region's level, unless the region's policy names its own (``JurisdictionPolicy.authority_name``;
    the overrides are read once a minute per process, so a list of rows costs no query per row)."""
    from gongxin.registry.policy import authority_name_overrides

    override = authority_name_overrides().get(region.code)
    if override:
        return override
    if region.code == "100000":
        return "中华人民共和国民政部"
    if region.level == 1:
        return f"{region.name}民政厅"
    return f"{region.name}民政局"


class ResponsiblePerson(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="responsible_persons")
    name = IdentityCharField(_("name"), max_length=64)
    position = models.CharField(_("position"), max_length=64)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)

    class Meta:
        ordering = ["organization", "id"]
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")

    def __str__(self) -> str:
        return f"{self.position} {self.name}"


# An organization files at most this many branches and representative offices (hidden ones
# count too): the public profile lists them all. National associations have a few dozen.
BRANCH_LIMIT = 100
HIDE_REASON_MAX = 500


class Branch(models.Model):
    """A branch or representative office (分支/代表机构), filed by the organization itself and
    published on its profile at once (seed 002: filed, not approved). Because that publishes
    an organization user's text unreviewed, the registration authority may hide an entry with
    a reason (registry.applications.branch_hide): hidden, it leaves the public profile and the
    API; officers and the organization still see it, marked hidden, with the reason."""

    class Kind(models.TextChoices):
        BRANCH = "branch", _("Branch")
        REPRESENTATIVE = "representative", _("Representative office")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="branches")
    name = IdentityCharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BRANCH)
    leader = IdentityCharField(_("leader"), max_length=64, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey("accounts.User", verbose_name=_("hidden by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    hidden_reason = models.CharField(_("reason for hiding"), max_length=HIDE_REASON_MAX, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            # The lengths in the database too: SQLite does not enforce varchar(n), and the text
            # is published as typed.
            models.CheckConstraint(name="branch_text_lengths", condition=(
                LessThanOrEqual(Length("name"), 128) & LessThanOrEqual(Length("leader"), 64)
                & LessThanOrEqual(Length("hidden_reason"), HIDE_REASON_MAX))),
            models.CheckConstraint(name="branch_hidden_has_reason",
                                   condition=models.Q(hidden_at__isnull=True) | ~models.Q(hidden_reason="")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ChangeItem(models.TextChoices):
    """Registered items whose change is published on the profile (变更公示)."""

    NAME = "name", _("Name")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    ADDRESS = "address", _("Address")
    BUSINESS_SCOPE = "business_scope", _("Business scope")
    REGISTERED_CAPITAL = "registered_capital", _("Registered capital")
    SPONSOR_UNIT = "sponsor_unit", _("Sponsor unit")
    # Not changeable by a change registration: published when deregistration, cancellation or
    # revocation ends the organization.
    STATUS = "status", _("Status")


CHANGEABLE_ITEMS = [c.value for c in ChangeItem if c != ChangeItem.STATUS]


class OrganizationChange(models.Model):
    """A change registration published on the profile (变更公示). Written only by services."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="changes")
    item = models.CharField(_("item"), max_length=64, choices=ChangeItem.choices)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    changed_on = models.DateField(_("date"))

    class Meta:
        ordering = ["organization", "-changed_on", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.item}: {self.before} → {self.after}"


class SearchDocument(models.Model):
    """One search document per organization (DESIGN.md, Search), written by the services.

    ``tokens`` holds space-separated character unigrams and bigrams of the name, former names
    and legal representative, plus ``py``-prefixed prefixes of the names' pinyin initials.
    SQLite indexes it with an FTS5 table (registry_search_fts), PostgreSQL with a GIN index on
    ``string_to_array(tokens, ' ')`` (migration 0002); both answer exact-token lookups, so the
    two engines return identical results. ``text`` is the normalised searchable text, used to
    confirm substring matches of 3+ characters that the bigram lookup only narrows down.

    ``tokens`` also carries facet tokens (type, subtype, status, industry, each level of the
    registration region: search.facet_tokens), so a filter is one more token to match.
    ``name`` is the name normalised like queries (NFKC, lower case), for ordering and the
    "starts with" relevance tier. Every service that changes any of these inputs rewrites the
    document (services.search_document_refresh); `gongxin search_rebuild` rewrites them all.
    """

    organization = RowidOneToOneField(Organization, primary_key=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    tokens = models.TextField()
    name = models.CharField(max_length=128, default="")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            # SearchResults' tiers: "ORDER BY name, organization_id" walked or ranged (SQLite; on
            # PostgreSQL the COLLATE "C" twin in migration 0004 serves the same queries).
            models.Index(fields=["name", "organization"], name="searchdoc_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualMode(models.TextChoices):
    REVIEW = "review", _("Review with a conclusion (national annual inspection)")
    FILING = "filing", _("Filing and publication only (Guangdong mode)")


class JurisdictionPolicy(models.Model):
    """Per-jurisdiction settings (seed 004, domain-rules.md §3). Every field is optional: an empty
    field inherits from the enclosing region's policy, and finally from ``POLICY_DEFAULTS``, so
    setting 440000 to the filing mode covers every Guangdong city unless one says otherwise.
    Resolved by ``registry.policy.policy_for``."""

    region = models.OneToOneField("core.Region", verbose_name=_("region"), primary_key=True,
                                  on_delete=models.PROTECT, related_name="+")
    registration_time_limit = models.PositiveSmallIntegerField(
        _("registration decision time limit (working days)"), null=True, blank=True)
    min_members = models.PositiveSmallIntegerField(_("minimum members"), null=True, blank=True)
    min_members_priority = models.PositiveSmallIntegerField(
        _("minimum members in priority industries"), null=True, blank=True)
    priority_industries = models.JSONField(_("priority industries"), null=True, blank=True,
                                           help_text=_("GB/T 4754 section letters, e.g. [\"A\", \"M\"]"))
    annual_mode = models.CharField(_("annual report mode"), max_length=16, choices=AnnualMode.choices, blank=True)
    annual_sponsor_deadline = models.CharField(_("sponsor pre-review deadline (MM-DD)"), max_length=5, blank=True)
    annual_authority_deadline = models.CharField(_("annual report deadline (MM-DD)"), max_length=5, blank=True)
    rectification_time_limit = models.PositiveSmallIntegerField(
        _("rectification time limit (working days)"), null=True, blank=True)
    credit_objection_days = models.PositiveSmallIntegerField(
        _("objection period before a credit listing (working days)"), null=True, blank=True)
    credit_auto_list = models.BooleanField(
        _("list automatically when the objection period ends"), null=True, blank=True,
        help_text=_("Otherwise an officer confirms each listing."))
    procurement_publicity_days = models.PositiveSmallIntegerField(
        _("publicity before procurement starts (days)"), null=True, blank=True,
        validators=[MinValueValidator(15)], help_text=_(
            "At least 15 days (the 15-day publicity rule of Zhuhai's disclosure platform for purchased services)."))
    qualify_min_grade = models.PositiveSmallIntegerField(
        _("qualified catalogue: minimum evaluation grade"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    qualify_report_years = models.PositiveSmallIntegerField(
        _("qualified catalogue: years of annual reports on time"), null=True, blank=True)
    qualify_sound_governance = models.BooleanField(
        _("qualified catalogue: sound governance (五自四无) required"), null=True, blank=True)
    # Not inherited: it names this region's own body (registry.models.authority_name).
    authority_name = models.CharField(
        _("name of the registration authority"), max_length=64, blank=True,
        help_text=_("Only where it is not 省民政厅 / 市民政局 / 区民政局 by the region's level (a merged bureau, "
                    "an administrative examination and approval bureau); not inherited by the regions below."))

    class Meta:
        verbose_name = _("jurisdiction policy")
        verbose_name_plural = _("jurisdiction policies")
        constraints = [
            models.CheckConstraint(
                name="policy_deadlines_mm_dd",
                condition=(models.Q(annual_sponsor_deadline="") | models.Q(annual_sponsor_deadline__regex=r"^\d\d-\d\d$"))
                & (models.Q(annual_authority_deadline="") | models.Q(annual_authority_deadline__regex=r"^\d\d-\d\d$")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.region_id)


class ApplicationKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Establishment registration")
    CHANGE = "change", _("Change registration")
    DEREGISTRATION = "deregistration", _("Deregistration")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RegistrationApplication(models.Model):
    """An application for establishment (筹备 and 成立 merged, seed 004), change or deregistration
    registration. ``data`` holds the registered items applied for (the Organization field names);
    the decision is due ``due_on`` (working days from submission, the jurisdiction's limit)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ApplicationKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    applicant = models.ForeignKey("accounts.User", verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="applications")
    registration_authority = models.ForeignKey("core.Region", verbose_name=_("registration authority"),
                                               on_delete=models.PROTECT, related_name="+")
    # As on Organization: the officer worklist is one range scan on the authority's prefix.
    region_prefix = models.CharField(max_length=6, db_index=True, editable=False)
    data = models.JSONField(_("items applied for"), default=dict)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_reasons = models.TextField(_("reasons"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registration application")
        verbose_name_plural = _("registration applications")
        indexes = [
            # The officer worklist: open applications in a jurisdiction, earliest deadline first.
            models.Index(fields=["status", "region_prefix", "due_on"], name="application_worklist"),
        ]
        constraints = [
            models.CheckConstraint(
                name="application_org_unless_establishment",
                condition=models.Q(kind="establishment") | models.Q(organization__isnull=False),
            ),
            models.CheckConstraint(
                name="application_submitted_has_due_date",
                condition=models.Q(status__in=["draft", "withdrawn"]) | models.Q(due_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.data.get('name', '')}"


class ApplicationDocument(models.Model):
    """A document attached to an establishment or change application for the officer to examine
    (会议决议, 住所证明, 章程). Stored under MEDIA_ROOT, which no URL serves: only
    ``registry:application_document`` hands it out, to the applicant and the deciding officers."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Meeting resolution")
        DOMICILE = "domicile", _("Proof of domicile")
        CHARTER = "charter", _("Charter")

    application = models.ForeignKey(RegistrationApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="applications/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "kind", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
