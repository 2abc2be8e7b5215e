"""The procurement demo data: the disclosure figures of seed 002 reproduce exactly through the
statistics, the catalogues have their published sizes, and the data obey the platform's rules.

The small demo registry here has far fewer than the 407 active Zhuhai organizations the full
qualified catalogue (244 = 60% of them) needs, so it gets the five batches scaled in proportion
(``qualified_target``); the full sizes are checked on the function itself."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.procurement import stats
from gongxin.procurement.demo_data import (
    QUALIFIED_BATCHES,
    qualified_target,
    seed_procurement_demo,
    split_total,
)
from gongxin.procurement.models import (
    Bid,
    BidStatus,
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    PerformanceEvaluation,
    ProjectStatus,
    PurchasableService,
    PurchaseProject,
    QualificationApplication,
    QualificationStatus,
    TransferableFunction,
)
from gongxin.procurement.services import PLATFORM_SOURCE
from gongxin.registry.models import Organization, OrgStatus

pytestmark = pytest.mark.django_db

# A January as_of keeps the demo to 2015–2017 and a month of 2018: the figures under test are
# complete, and the test stays small.
AS_OF = dt.date(2018, 1, 31)
SEED_002 = {2015: (296, Decimal("57840500.00")), 2016: (726, Decimal("112000000.00")),
            2017: (1219, Decimal("183300000.00"))}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """A small demo registry and the procurement demo on it, built once for the module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()  # rolled back after the module, like a test's own transaction
        try:
            call_command("seed", orgs=600, seed=11, no_annual=True, no_accounts=True, stdout=io.StringIO())
            counts = seed_procurement_demo(as_of=AS_OF, seed=3, releases=False)
            yield counts
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_2015_to_2017_figures_of_seed_002_reproduce_exactly(demo):
    for region in (None, "4404"):
        rows = {r.year: r for r in stats.yearly(region, last_year=2017)}
        assert {year: (rows[year].projects, rows[year].budget) for year in SEED_002} == SEED_002


def test_the_share_to_social_organizations_is_meaningful_every_year(demo):
    for row in stats.yearly(last_year=2017):
        assert row.awarded and 0 < row.share < 100
        assert row.companies > 0  # companies win part of it, as on the real platform


def test_the_catalogues_have_their_published_sizes(demo):
    functions = Catalogue.objects.get(kind=CatalogueKind.FUNCTIONS, region_id="440400")
    assert functions.status == CatalogueStatus.PUBLISHED and functions.functions.count() == 50
    services = Catalogue.objects.filter(kind=CatalogueKind.SERVICES, region_id="440400")
    assert {c.status: c.services.count() for c in services}[CatalogueStatus.PUBLISHED] == 341
    assert services.filter(status=CatalogueStatus.SUPERSEDED).count() == 1
    batches = Catalogue.objects.filter(kind=CatalogueKind.QUALIFIED, region_id="440400",
                                       status=CatalogueStatus.PUBLISHED).order_by("batch")
    assert batches.count() == 5
    active = Organization.objects.filter(status=OrgStatus.ACTIVE, region_prefix__startswith="4404",
                                         credit_status="").count()
    sizes = [QualificationApplication.objects.filter(catalogue=b, status=QualificationStatus.PUBLISHED).count()
             for b in batches]
    assert sizes == qualified_target(active) and demo["qualified"] == sum(sizes)
    assert TransferableFunction.objects.values("name").distinct().count() == 50
    assert PurchasableService.objects.filter(catalogue__status="published").values("category").distinct().count() > 30


def test_the_full_qualified_catalogue_is_244_organizations_in_5_batches():
    assert qualified_target(10_000) == [n for _, n in QUALIFIED_BATCHES]
    assert sum(qualified_target(10_000)) == 244
    small = qualified_target(50)
    assert len(small) == 5 and sum(small) == 30


def test_budgets_add_up_exactly_in_whole_hundreds():
    import random

    budgets = split_total(random.Random(1), 296, Decimal("57840500.00"))
    assert sum(budgets) == Decimal("57840500.00") and all(b > 0 and b % 100 == 0 for b in budgets)


def test_every_project_was_publicized_at_least_15_days_before_procurement(demo):
    dates = PurchaseProject.objects.exclude(status=ProjectStatus.DRAFT).values_list("publicized_on",
                                                                                    "procurement_starts_on")
    assert all((starts - publicized).days >= 15 for publicized, starts in dates)


def test_past_projects_are_mostly_evaluated_and_awards_are_complete(demo):
    statuses = dict(PurchaseProject.objects.filter(year=2016).values_list("status").annotate(n=Count("id")))
    assert statuses[ProjectStatus.EVALUATED] > 0.85 * sum(statuses.values())
    assert {ProjectStatus.CANCELLED, ProjectStatus.UNSUCCESSFUL} <= set(statuses)
    evaluated = PurchaseProject.objects.filter(status=ProjectStatus.EVALUATED)
    assert PerformanceEvaluation.objects.filter(project__in=evaluated).count() == evaluated.count()
    assert PerformanceEvaluation.objects.filter(rating="fail").exists()
    assert not evaluated.filter(contract__isnull=True).exists()
    assert not evaluated.filter(awarded_amount__gt=F("budget")).exists()  # never above the budget


def test_the_current_years_projects_have_applications_with_the_winner_among_them(demo):
    current = PurchaseProject.objects.filter(year=AS_OF.year)
    assert current.filter(status=ProjectStatus.PUBLICIZED).exists()
    assert Bid.objects.filter(project__in=current).exists()
    for project in current.filter(awarded_organization__isnull=False):
        assert project.bids.get(status=BidStatus.AWARDED).organization_id == project.awarded_organization_id


def test_evaluations_of_organizations_give_the_credit_record_a_real_evaluation_writes(demo):
    submitted = PerformanceEvaluation.objects.filter(status=PerformanceEvaluation.Status.SUBMITTED)
    of_orgs = submitted.filter(project__awarded_organization__isnull=False)
    assert of_orgs.exists() and not of_orgs.filter(credit_record__isnull=True).exists()
    # A company outside the registry has no credit file to write to (as in evaluation_submit).
    assert submitted.filter(project__awarded_organization__isnull=True).exists()
    assert not submitted.filter(project__awarded_organization__isnull=True, credit_record__isnull=False).exists()
    records = CreditRecord.objects.filter(kind=RecordKind.GOVERNMENT_SERVICE)
    assert records.count() == of_orgs.count() == demo["credit_records"]
    title = re.compile(r"^承接政府购买服务《(.+)》绩效评价:(优秀|良好|合格|不合格)\((\d+(?:\.\d+)?)分\)$")
    zh = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
    for ev in of_orgs.select_related("project__department", "credit_record").order_by("pk")[:300]:
        record, project = ev.credit_record, ev.project
        name, rating, score = title.match(record.title).groups()
        assert (name, rating, Decimal(score)) == (project.title, zh[ev.rating], ev.total)
        assert record.organization_id == project.awarded_organization_id
        assert (record.category, record.is_public, record.occurred_on) == ("other", True, ev.evaluated_on)
        assert record.deciding_body == project.department.name and record.source == PLATFORM_SOURCE
        assert record.content.startswith(f"{project.department.name}购买服务项目(合同金额{project.awarded_amount:,.2f}元)")
        assert record.content.endswith(ev.comments) and record.import_key == f"performance-evaluation:{ev.pk}"


def test_the_demo_runs_once(demo):
    assert seed_procurement_demo(as_of=AS_OF, seed=3, releases=False) == {}
