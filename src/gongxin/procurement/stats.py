"""Statistics of the purchase of services disclosure platform (seed 002): per year, the projects
publicized and their budget, the projects awarded and their amount, and the amount awarded to
registered social organizations with its share (Inner Mongolia's target: at least 30% of new
purchase spending to social organizations, domain-rules §5).

One GROUP BY query whatever the number of projects; Python only fills the years without
projects and computes the shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gongxin.procurement.models import ProjectStatus, PurchaseProject
from gongxin.registry.selectors import region_prefix_filter

FIRST_YEAR = 2015  # the platform went online on 1 January 2015 (seed 002)

# A project counts as awarded from the award on, whatever happened after (contract, evaluation).
AWARDED_STATUSES = (ProjectStatus.AWARDED, ProjectStatus.CONTRACTED, ProjectStatus.COMPLETED,
                    ProjectStatus.EVALUATED)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearRow:
    year: int
    projects: int  # publicized (everything but drafts: a cancelled project was publicized too)
    budget: Decimal
    awarded: int
    awarded_amount: Decimal
    to_organizations: Decimal  # awarded to a registered social organization (not a company)

    @property
    def share(self) -> Decimal | None:
        """Percentage of the awarded amount that went to social organizations (one decimal);
        None when nothing was awarded (no share to speak of, rather than 0%)."""
        if not self.awarded_amount:
            return None
        return (self.to_organizations * 100 / self.awarded_amount).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def companies(self) -> Decimal:
        return self.awarded_amount - self.to_organizations


def publicized_projects(region_prefix: str | None = None):
    """Every project the platform has publicized (drafts are the purchaser's business alone)."""
    qs = PurchaseProject.objects.exclude(status=ProjectStatus.DRAFT)
    if region_prefix:
        qs = qs.filter(region_prefix_filter("region_prefix", region_prefix))
    return qs


def _money(expr):
    return Coalesce(expr, Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2))


def yearly(region_prefix: str | None = None, *, first_year: int = FIRST_YEAR,
           last_year: int | None = None) -> list[YearRow]:
    """One row per year from ``first_year`` to ``last_year`` (this year), years without projects
    included, for the projects of the region subtree ``region_prefix`` ('4404': Zhuhai; None or
    '': everywhere). One query."""
    last_year = last_year or timezone.localdate().year
    awarded = Q(status__in=AWARDED_STATUSES)
    rows = (publicized_projects(region_prefix).filter(year__gte=first_year, year__lte=last_year)
            .order_by().values("year")
            # Aliases differ from the field names: an annotation may not shadow a field it sums.
            .annotate(n_projects=Count("id"), sum_budget=_money(Sum("budget")),
                      n_awarded=Count("id", filter=awarded),
                      sum_awarded=_money(Sum("awarded_amount", filter=awarded)),
                      sum_organizations=_money(Sum("awarded_amount",
                                                   filter=awarded & Q(awarded_organization__isnull=False)))))
    found = {r["year"]: r for r in rows}
    out = []
    for year in range(first_year, last_year + 1):
        r = found.get(year)
        out.append(YearRow(year=year, projects=r["n_projects"], budget=r["sum_budget"], awarded=r["n_awarded"],
                           awarded_amount=r["sum_awarded"], to_organizations=r["sum_organizations"])
                   if r else YearRow(year, 0, ZERO, 0, ZERO, ZERO))
    return out


def total(rows: list[YearRow]) -> YearRow:
    """The sum of the years (year 0): the table's last line."""
    return YearRow(year=0, projects=sum(r.projects for r in rows), budget=sum((r.budget for r in rows), ZERO),
                   awarded=sum(r.awarded for r in rows),
                   awarded_amount=sum((r.awarded_amount for r in rows), ZERO),
                   to_organizations=sum((r.to_organizations for r in rows), ZERO))
