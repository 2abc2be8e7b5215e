"""Dormant (僵尸型) organizations (民发〔2021〕63号, domain-rules.md §3): the grounds as named
rules with their legal basis and evidence, the nightly scan that records findings, the
officer's decision, and the reads of the officer's list.

Every rule is set-based: it runs a few aggregate queries over one window of organization ids
(``SCAN_CHUNK`` ids at a time) and yields ``(organization id, evidence)``, never one query per
organization, so the scan keeps the same shape at a million organizations with five years of
reports each. The window bounds the memory of a scan, not its number of queries per row.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.models import Role
from gongxin.annual import rules
from gongxin.annual.models import (
    AnnualReport,
    DormancyFinding,
    DormancyGround,
    DormancyOutcome,
    FactKind,
    SupervisionFact,
)
from gongxin.core.audit import audit_record
from gongxin.core.bulk import columns_of, insert_rows
from gongxin.core.exports import ExportData, exporter
from gongxin.core.models import Region
from gongxin.core.worklists import name_or_code_q
from gongxin.registry.models import JurisdictionPolicy, Organization, OrgStatus, authority_name
from gongxin.registry.policy import ancestors, policy_for
from gongxin.registry.selectors import jurisdiction_q, officer_manages, region_prefix_filter
from gongxin.registry.services import organization_end

LEGAL_BASIS = "民发〔2021〕63号"
SCAN_CHUNK = 50_000  # organization ids per window: bounds the scan's memory, ~5 queries each
_IN_BATCH = 500  # ids per UPDATE/DELETE ... WHERE id IN (...): well under SQLite's variable limit


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _owes(year: int, path: str = "") -> Q:
    """Organizations that owe a report for ``year``: the SQL form of ``rules.exempt_for_year``
    (registered before 30 June of that year); a test pins the two to the same boundary."""
    return Q(**{f"{path}established_on__lt": dt.date(year, 6, 30)})


# --- The window a scan looks at ---------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """One slice of the scan: organization ids in [lo, hi) under ``region_prefix``, on ``today``.

    ``closed_years`` maps each distinct "latest closed report year" to the organizations whose
    jurisdiction policy gives it (a jurisdiction with an earlier deadline, like Guangzhou's
    31 March, closes a year sooner); ``report_years`` are the years any report exists for."""

    today: dt.date
    lo: int
    hi: int
    region_prefix: str = ""
    closed_years: tuple[tuple[int, Q], ...] = ()
    report_years: tuple[int, ...] = ()

    def scope(self, path: str = "") -> Q:
        """Active organizations of the window (``path`` leads to the organization)."""
        pk = f"{path}pk" if path else "pk"
        q = Q(**{f"{pk}__gte": self.lo, f"{pk}__lt": self.hi, f"{path}status": OrgStatus.ACTIVE})
        return q & region_prefix_filter(f"{path}region_prefix", self.region_prefix)

    def organizations(self) -> QuerySet[Organization]:
        return Organization.objects.filter(self.scope())


def closed_year_groups(today: dt.date) -> tuple[tuple[int, Q], ...]:
    """Organizations grouped by the latest closed report year of their jurisdiction's policy.

    Only regions with their own deadline (JurisdictionPolicy) can differ from the national
    default; their authority codes are resolved in memory from one query each for the policy
    rows and the affected regions, so the groups are a short ``registration_authority IN (...)``
    list, not a per-organization lookup."""
    national = policy_for("100000")
    default_year = rules.latest_closed_year(today, national)
    deadlines = dict(JurisdictionPolicy.objects.exclude(annual_authority_deadline="")
                     .exclude(region_id="100000").values_list("region_id", "annual_authority_deadline"))
    if not deadlines:
        return ((default_year, Q()),)
    under = reduce(or_, (region_prefix_filter("code", Region.prefix_of(code)) for code in deadlines))
    by_year: dict[int, list[str]] = {}
    for code in Region.objects.filter(under).values_list("code", flat=True):
        deadline = next((deadlines[c] for c in ancestors(code) if c in deadlines), None)
        if deadline is None:
            continue
        year = rules.latest_closed_year(today, dataclasses.replace(national, annual_authority_deadline=deadline))
        if year != default_year:
            by_year.setdefault(year, []).append(code)
    others = [code for codes in by_year.values() for code in codes]
    groups = [(default_year, ~Q(registration_authority_id__in=others) if others else Q())]
    groups += [(year, Q(registration_authority_id__in=codes)) for year, codes in sorted(by_year.items())]
    return tuple(groups)


# --- The grounds: named rules, each yielding (organization id, evidence) -----------------------


def _submitted() -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(submitted_at__isnull=False)


def _missed(year: int, window: Window) -> Q:
    """No submitted report for ``year``, or a ``report_missing`` fact for it still unresolved.

    The subqueries repeat the window's id range: PostgreSQL may answer them as a hash of every
    matching row rather than one probe per organization, and without the range that hash would
    cover the whole table in every window (quadratic in the number of organizations)."""
    ids = {"organization_id__gte": window.lo, "organization_id__lt": window.hi}
    return (~Exists(_submitted().filter(organization=OuterRef("pk"), year=year, **ids))
            | Exists(SupervisionFact.objects.filter(organization=OuterRef("pk"), kind=FactKind.REPORT_MISSING,
                                                    key=str(year), resolved_on__isnull=True, **ids)))


def reports_missed(window: Window) -> Iterator[tuple[int, dict]]:
    """Ground 1: owed reports for both of the last two closed years were not submitted.
    An organization exempt for either year (registered six months or less before its
    31 December) does not meet it. Evidence: {"years": [Y-1, Y]}."""
    for closed, group in window.closed_years:
        years = [closed - 1, closed]
        qs = window.organizations().filter(group, _owes(years[0]), _missed(years[0], window),
                                          _missed(years[1], window))
        for pk in qs.order_by().values_list("pk", flat=True).iterator(chunk_size=5000):
            yield pk, {"years": years}


def no_activity_first_year(window: Window) -> Iterator[tuple[int, dict]]:
    """Ground 2: registered more than a year ago, the report for its first owed year shows no
    activity, and no later submitted report shows any: the ground is for organizations that
    never started, not for one that had a quiet first year and has been active since. Driven
    from the (few) zero-activity reports; a year is an organization's first owed one when it
    was registered between 30 June of the year before and 29 June of that year
    (``rules.first_year_owed``), written as one range per report year so both engines use the
    date index and no per-row date arithmetic. The "later activity" subquery repeats the
    window's id range (see ``_missed``). Evidence: {"year", "established_on"}."""
    if not window.report_years:
        return
    first_owed = reduce(or_, (
        Q(year=y, organization__established_on__gte=dt.date(y - 1, 6, 30), organization__established_on__lt=dt.date(y, 6, 30))
        for y in window.report_years))
    active_later = _submitted().filter(organization=OuterRef("organization"), year__gt=OuterRef("year"),
                                       activity_count__gt=0, organization_id__gte=window.lo,
                                       organization_id__lt=window.hi)
    qs = (_submitted().filter(window.scope("organization__"), first_owed, activity_count=0,
                              organization__established_on__lt=_years_before(window.today, 1))
          .filter(~Exists(active_later))
          .order_by().values_list("organization_id", "year", "organization__established_on"))
    for pk, year, established in qs.iterator(chunk_size=5000):
        yield pk, {"year": year, "established_on": established.isoformat()}


def no_activity(window: Window) -> Iterator[tuple[int, dict]]:
    """Ground 3: the last two submitted reports both show no activity and no income. Driven
    from the zero reports: one that is the latest submitted (nothing submitted after it) and
    whose previous submitted report is a zero report too. Evidence: {"years": [earlier, later]}."""
    zero = _submitted().filter(activity_count=0, income=0)
    previous = Subquery(_submitted().filter(organization=OuterRef("organization"), year__lt=OuterRef("year"))
                        .order_by("-year").values("year")[:1])
    qs = (zero.filter(window.scope("organization__"))
          .filter(~Exists(_submitted().filter(organization=OuterRef("organization"), year__gt=OuterRef("year"))))
          .annotate(previous=previous)
          .filter(Exists(zero.filter(organization=OuterRef("organization"), year=OuterRef("previous"))))
          .order_by().values_list("organization_id", "previous", "year"))
    for pk, earlier, later in qs.iterator(chunk_size=5000):
        yield pk, {"years": [earlier, later]}


def unreachable(window: Window) -> Iterator[tuple[int, dict]]:
    """Ground 4: an unresolved ``unreachable`` fact recorded in the last twelve months (an
    inspection that could not reach it at its address or its legal representative). The
    latest such fact is the evidence: {"occurred_on", "title", "findings"}."""
    since = _years_before(window.today, 1)
    qs = (SupervisionFact.objects.filter(window.scope("organization__"), kind=FactKind.UNREACHABLE,
                                         resolved_on__isnull=True, occurred_on__gt=since, occurred_on__lte=window.today)
          .order_by("organization_id", "-occurred_on", "-id").values_list("organization_id", "occurred_on", "evidence"))
    last = None
    for pk, occurred_on, evidence in qs.iterator(chunk_size=5000):
        if pk == last:
            continue
        last = pk
        evidence = evidence if isinstance(evidence, dict) else {}
        yield pk, {"occurred_on": occurred_on.isoformat(), "title": str(evidence.get("title", "")),
                   "findings": str(evidence.get("findings", ""))}


@dataclass(frozen=True)
class Rule:
    ground: DormancyGround
    basis: str
    finds: Callable[[Window], Iterator[tuple[int, dict]]]
    description: Any = ""


RULES: tuple[Rule, ...] = (
    Rule(DormancyGround.REPORTS_MISSED, LEGAL_BASIS, reports_missed,
         gettext_lazy("Did not submit its annual work reports for the last two years")),
    Rule(DormancyGround.NO_ACTIVITY_FIRST_YEAR, LEGAL_BASIS, no_activity_first_year,
         gettext_lazy("Held no activity within one year of registration")),
    Rule(DormancyGround.NO_ACTIVITY, LEGAL_BASIS, no_activity,
         gettext_lazy("Held no activity within its business scope and had no income in its last two reports")),
    Rule(DormancyGround.UNREACHABLE, LEGAL_BASIS, unreachable,
         gettext_lazy("Cannot be reached at its registered address or through its legal representative")),
)
GROUND_ORDER = [r.ground.value for r in RULES]


def evaluate(window: Window) -> dict[int, list[dict]]:
    """Every organization of the window meeting a ground: {id: [{"ground", "evidence"}, ...]},
    grounds in ``RULES`` order (the finding's stored form)."""
    found: dict[int, list[dict]] = {}
    for rule in RULES:
        for pk, evidence in rule.finds(window):
            grounds = found.setdefault(pk, [])
            if not any(g["ground"] == rule.ground for g in grounds):
                grounds.append({"ground": rule.ground.value, "evidence": evidence})
    return found


def _report_years(today: dt.date) -> tuple[int, ...]:
    first = AnnualReport.objects.aggregate(first=Min("year"))["first"]
    return tuple(range(first, today.year)) if first else ()


def grounds_for(org: Organization, *, today: dt.date) -> list[dict]:
    """The grounds one organization meets today, with evidence (the scan's rules on a window
    of one organization): what its profile or a decision page can say "why" with."""
    window = Window(today=today, lo=org.pk, hi=org.pk + 1, closed_years=closed_year_groups(today),
                    report_years=_report_years(today))
    return evaluate(window).get(org.pk, [])


def evidence_text(ground: str, evidence: dict) -> str:
    """A ground's evidence in words, for the officer's list and the export."""
    if ground == DormancyGround.REPORTS_MISSED:
        years = evidence.get("years") or ["?", "?"]
        return _("%(first)s and %(second)s reports not submitted") % {"first": years[0], "second": years[-1]}
    if ground == DormancyGround.NO_ACTIVITY_FIRST_YEAR:
        return _("%(year)s report, its first year, shows no activity (registered %(date)s)") % {
            "year": evidence.get("year", "?"), "date": evidence.get("established_on", "?")}
    if ground == DormancyGround.NO_ACTIVITY:
        years = evidence.get("years") or ["?", "?"]
        return _("%(first)s and %(second)s reports show no activity and no income") % {
            "first": years[0], "second": years[-1]}
    if ground == DormancyGround.UNREACHABLE:
        values = {"date": evidence.get("occurred_on", "?"), "title": evidence.get("title", "")}
        text = (_("Could not be reached on %(date)s, during “%(title)s”") if values["title"]
                else _("Could not be reached on %(date)s")) % values
        if evidence.get("findings"):
            text = _("%(reason)s: %(findings)s") % {"reason": text, "findings": evidence["findings"]}
        return text
    return ""


def ground_label(ground: str) -> str:
    try:
        return str(DormancyGround(ground).label)
    except ValueError:
        return ground


def reasons(finding: DormancyFinding) -> list[tuple[str, str]]:
    """(ground label, evidence in words) for each ground of a finding."""
    return [(ground_label(g.get("ground", "")), evidence_text(g.get("ground", ""), g.get("evidence") or {}))
            for g in finding.grounds]


# --- The scan ----------------------------------------------------------------------------------


@dataclass
class ScanResult:
    found: int = 0  # organizations meeting at least one ground today (decided findings included)
    new: int = 0  # findings created today
    cleared: int = 0  # open findings removed: the organization meets no ground any more
    seconds: float = field(default=0.0, compare=False)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _IN_BATCH):
        yield ids[i:i + _IN_BATCH]


_FINDING_COLUMNS = ["organization_id", "grounds", "first_found_on", "last_found_on", "outcome", "decided_at",
                    "decided_by_id", "note"]


def _store(window: Window, found: dict[int, list[dict]]) -> tuple[int, int]:
    """Upsert one window's findings; returns (new, cleared). Decided findings are left alone;
    every UPDATE and DELETE repeats ``outcome = ''`` so a decision saved meanwhile is kept."""
    today = window.today
    assert set(columns_of(DormancyFinding)) == {"id", *_FINDING_COLUMNS}, "DormancyFinding changed: update the rows"
    existing = DormancyFinding.objects.filter(organization_id__gte=window.lo, organization_id__lt=window.hi)
    if window.region_prefix:
        existing = existing.filter(region_prefix_filter("organization__region_prefix", window.region_prefix))
    rows = {org_id: (pk, outcome, grounds, last) for pk, org_id, outcome, grounds, last in
            existing.values_list("pk", "organization_id", "outcome", "grounds", "last_found_on")}
    new, touch, changed = [], [], []
    for org_id, grounds in found.items():
        row = rows.get(org_id)
        if row is None:
            new.append((org_id, grounds, today, today, "", None, None, ""))
        elif row[1] == "":
            if row[2] != grounds:
                changed.append(DormancyFinding(pk=row[0], grounds=grounds, last_found_on=today))
            elif row[3] != today:
                touch.append(row[0])
    gone = [pk for org_id, (pk, outcome, _g, _l) in rows.items() if outcome == "" and org_id not in found]
    cleared = 0
    with transaction.atomic():
        # Plain rows, not bulk_create: preparing model instances field by field was a third of a
        # first scan's time (core.bulk streams them: COPY on PostgreSQL, executemany on SQLite).
        insert_rows(DormancyFinding, _FINDING_COLUMNS, new)
        for ids in _batches(touch):
            DormancyFinding.objects.filter(pk__in=ids, outcome="").update(last_found_on=today)
        DormancyFinding.objects.bulk_update(changed, ["grounds", "last_found_on"], batch_size=200)
        for ids in _batches(gone):
            cleared += DormancyFinding.objects.filter(pk__in=ids, outcome="").delete()[0]
    return len(new), cleared


@contextlib.contextmanager
def _planner_settings():
    """PostgreSQL's JIT compiles every window's query (its cost estimate counts both forms of
    each correlated subquery), measured at 0.7 s of compiling for 0.25 s of running: off for
    the scan's own transaction only (SET LOCAL). SQLite needs nothing, and no read
    transaction: its transactions take the write lock (IMMEDIATE) here."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def dormancy_scan(*, today: dt.date, region_prefix: str = "", chunk: int = SCAN_CHUNK, actor=None) -> ScanResult:
    """Find every active organization meeting a dormancy ground and record it.

    New organizations get a finding first found today; open findings get ``last_found_on``
    and their grounds refreshed; open findings whose organization meets no ground any more
    are deleted (cleared); decided findings are left alone. The same day twice changes
    nothing but the audit trail, which gets one ``dormancy.scan`` event per run. Two scans
    must not run at the same time (the nightly task is the only caller besides the CLI)."""
    started = time.perf_counter()
    orgs = Organization.objects.filter(region_prefix_filter("region_prefix", region_prefix))
    bounds = orgs.aggregate(lo=Min("pk"), hi=Max("pk"))
    result = ScanResult()
    if bounds["lo"] is not None:
        groups, years = closed_year_groups(today), _report_years(today)
        for lo in range(bounds["lo"], bounds["hi"] + 1, chunk):
            window = Window(today=today, lo=lo, hi=lo + chunk, region_prefix=region_prefix,
                            closed_years=groups, report_years=years)
            with _planner_settings():
                found = evaluate(window)
            new, cleared = _store(window, found)
            result.found += len(found)
            result.new += new
            result.cleared += cleared
    result.seconds = time.perf_counter() - started
    with transaction.atomic():
        audit_record(actor=actor, action="dormancy.scan", object_type="annual.dormancyfinding",
                     after={"today": today.isoformat(), "region_prefix": region_prefix, "found": result.found,
                            "new": result.new, "cleared": result.cleared})
    return result


# --- Decisions ---------------------------------------------------------------------------------

STATUS_BY_OUTCOME = {
    DormancyOutcome.DEREGISTER: OrgStatus.DEREGISTERED,
    DormancyOutcome.CANCEL: OrgStatus.REGISTRATION_CANCELLED,
    DormancyOutcome.REVOKE: OrgStatus.CERTIFICATE_REVOKED,
}


@transaction.atomic
def organization_status_set(*, actor, org: Organization, status: str, reason: str) -> Organization:
    """End an active organization's registration through the registry's service (status,
    published change entry, search document, audit)."""
    return organization_end(actor=actor, org=org, status=status, reason=reason, ended_on=timezone.localdate())


@transaction.atomic
def dormancy_decide(*, actor, finding: DormancyFinding, outcome: str, note: str = "") -> DormancyFinding:
    """An officer of the organization's jurisdiction decides an open finding. Deregistration,
    cancellation and revocation also end the organization's registration; rectification issues
    a rectification notice (the jurisdiction's time limit, in working days) naming the grounds;
    "not dormant" only records the decision."""
    locked = DormancyFinding.objects.select_for_update().select_related("organization").get(pk=finding.pk)
    if not officer_manages(actor, locked.organization.region_prefix):
        raise PermissionDenied(_("Only the registration authority of this organization may decide."))
    if locked.outcome:
        raise ValidationError(_("This finding has already been decided."))
    if outcome not in DormancyOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    outcome = DormancyOutcome(outcome)
    before = {"outcome": locked.outcome, "grounds": locked.grounds}
    locked.outcome, locked.note = outcome, note.strip()
    locked.decided_at, locked.decided_by = timezone.now(), actor
    locked.full_clean()
    locked.save(update_fields=["outcome", "note", "decided_at", "decided_by"])
    if outcome in STATUS_BY_OUTCOME:
        organization_status_set(actor=actor, org=locked.organization, status=STATUS_BY_OUTCOME[outcome],
                                reason=f"dormancy:{outcome}")
        locked.organization.refresh_from_db(fields=["status", "version"])
    if outcome == DormancyOutcome.RECTIFY:
        from gongxin.annual.inspections import rectification_issue

        grounds = "；".join(f"{label}（{text}）" for label, text in reasons(locked))
        requirements = _("Resume activities within the business scope and remedy the following: %(grounds)s") % {
            "grounds": grounds}
        if locked.note:
            requirements += f"\n{locked.note}"
        rectification_issue(actor=actor, organization=locked.organization, requirements=requirements)
    audit_record(actor=actor, action="dormancy.decide", obj=locked, before=before,
                 after={"outcome": outcome.value, "note": locked.note, "organization": locked.organization.uscc})
    return locked


# --- Reads -------------------------------------------------------------------------------------


def _may_supervise(actor) -> bool:
    return actor is not None and actor.is_authenticated and (actor.role == Role.OFFICER or actor.is_platform_admin)


def findings_visible(actor) -> QuerySet[DormancyFinding]:
    """Findings of organizations in an officer's jurisdiction (all of them for an
    administrator); nobody else sees any."""
    qs = DormancyFinding.objects.select_related("organization__registration_authority", "decided_by")
    if not _may_supervise(actor):
        return qs.none()
    scope = jurisdiction_q(actor, org="organization__")
    return qs if scope is None else qs.filter(scope)


def ground_q(ground: str) -> Q:
    """Findings listing ``ground``. A finding holds at most one entry per ground, in ``RULES``
    order; JSON containment is not portable (SQLite has none), the array positions are."""
    return reduce(or_, (Q(**{f"grounds__{i}__ground": ground}) for i in range(len(RULES))))


SORTS = {
    "first_found": ("first_found_on", "organization__name", "id"),
    "-first_found": ("-first_found_on", "organization__name", "id"),
    "name": ("organization__name", "id"),
    "-name": ("-organization__name", "-id"),
}


def findings_open(*, actor, ground: str = "", sort: str = "first_found", q: str = "") -> QuerySet[DormancyFinding]:
    """The officer's worklist: undecided findings in their jurisdiction."""
    qs = findings_visible(actor).filter(outcome="")
    if ground in DormancyGround.values:
        qs = qs.filter(ground_q(ground))
    if q:
        qs = qs.filter(name_or_code_q(q, name="organization__name", code="organization__uscc"))
    return qs.order_by(*SORTS.get(sort, SORTS["first_found"]))


def findings_decided(*, actor, ground: str = "", q: str = "") -> QuerySet[DormancyFinding]:
    """The worklist's 已处理 view: findings an outcome was chosen for (ordered by the caller)."""
    qs = findings_visible(actor).exclude(outcome="")
    if ground in DormancyGround.values:
        qs = qs.filter(ground_q(ground))
    if q:
        qs = qs.filter(name_or_code_q(q, name="organization__name", code="organization__uscc"))
    return qs


def finding_get(*, actor, pk: int) -> DormancyFinding:
    finding = findings_visible(actor).filter(pk=pk).first()
    if finding is None:
        raise Http404("No such finding.")
    return finding


@exporter("dormancy_findings", title=gettext_lazy("Dormant organizations"))
def findings_export(actor, params: dict) -> ExportData:
    """The officer's open findings as filtered and sorted on the page, evidence in words."""
    qs = findings_open(actor=actor, ground=str(params.get("ground", "")), sort=str(params.get("sort", "")))
    headers = [_("Name"), _("Unified social credit code"), _("Registration authority"), _("Established on"),
               _("Grounds"), _("Evidence"), _("First found"), _("Last found"), _("Legal basis")]

    def rows():
        for f in qs.iterator(chunk_size=2000):
            org = f.organization
            found = reasons(f)
            yield [org.name, org.uscc, authority_name(org.registration_authority), org.established_on.isoformat(),
                   "；".join(label for label, _text in found), "；".join(text for _label, text in found),
                   f.first_found_on.isoformat(), f.last_found_on.isoformat(), LEGAL_BASIS]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Dormant organizations")))
