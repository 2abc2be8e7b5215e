"""Rows the project-workflow tests build on: a published services catalogue, a qualified
organizations catalogue entry, projects taken through the real services up to a given step,
and a credit listing made after the fact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.procurement import services
from gongxin.procurement.models import (
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    PurchasableService,
    QualificationApplication,
    QualificationStatus,
    ServiceCategory,
    TransferableFunction,
    TransferMode,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 3, 2)  # a Monday


def at(time_machine, day: dt.date):
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False)


def _catalogue(kind, region="440400", batch=1):
    cat, _ = Catalogue.objects.get_or_create(
        kind=kind, region_id=region, batch=batch,
        defaults={"year": 2025, "title": f"珠海市第{batch}批{kind}目录", "status": CatalogueStatus.PUBLISHED,
                  "published_on": dt.date(2025, 6, 1)})
    return cat


def catalogue_service(region="440400", code="A0101", batch=1) -> PurchasableService:
    cat = _catalogue(CatalogueKind.SERVICES, region, batch)
    service, _ = PurchasableService.objects.get_or_create(
        catalogue=cat, code=code, defaults={"name": "社区居家养老服务",
                                            "category": ServiceCategory.objects.order_by("code").first(),
                                            "department_name": "珠海市民政局"})
    return service


def transferable_function(region="440400", department="珠海市民政局", code="F001",
                          batch=1) -> TransferableFunction:
    cat = _catalogue(CatalogueKind.FUNCTIONS, region, batch)
    function, _ = TransferableFunction.objects.get_or_create(
        catalogue=cat, code=code, defaults={"name": "社会组织等级评估具体事务", "department_name": department,
                                            "mode": TransferMode.ENTRUST})
    return function


def qualify(org, region="440400") -> QualificationApplication:
    """``org`` in the published qualified organizations catalogue of ``region``."""
    cat = _catalogue(CatalogueKind.QUALIFIED, region)
    return QualificationApplication.objects.create(organization=org, region_id=region,
                                                   status=QualificationStatus.PUBLISHED, catalogue=cat,
                                                   eligible=True, service_areas="养老服务")


def list_abnormal(org, on: dt.date):
    """Put ``org`` on the abnormal-activity list (as the credit procedure would have)."""
    from gongxin.credit.models import ListEntry

    return ListEntry.objects.create(
        organization=org, list="abnormal", status="listed", authority_id=org.registration_authority_id,
        region_prefix=org.region_prefix, noticed_on=on - dt.timedelta(days=20), objection_due=on - dt.timedelta(days=5),
        listed_on=on, clock_from=on, reason="未按规定报送年度工作报告")


def project_values(start_in_days=15, **overrides) -> dict:
    start = TODAY + dt.timedelta(days=start_in_days)
    values = {"title": "2026年社区居家养老服务项目", "description": "为辖区高龄老人提供上门服务。",
              "budget": Decimal("500000.00"), "method": "public_tender", "procurement_starts_on": start,
              "bid_deadline": start + dt.timedelta(days=5), "service_starts_on": start + dt.timedelta(days=30),
              "service_ends_on": start + dt.timedelta(days=395), "require_qualified": True}
    values.update(overrides)
    return values


def draft(actors, **overrides):
    service = overrides.pop("service", None) or catalogue_service()
    return services.project_create(actor=actors["purchaser"], service=service, **project_values(**overrides))


def publicized(actors, **overrides):
    project = draft(actors, **overrides)
    return services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version,
                                      today=TODAY)


def pdf(name="doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def bid(actors, project, who="org_user_a", amount=Decimal("480000"), today=None):
    return services.bid_submit(actor=actors[who], project=project, amount=amount, proposal="组建10人服务团队。",
                               documents=[pdf("方案.pdf")], today=today or TODAY)


def awarded(actors, **overrides):
    """Publicized, organization A qualified and bidding, awarded on the first day the award is
    open (procurement started and applications closed)."""
    project = publicized(actors, **overrides)
    qualify(actors["org_a"])
    b = bid(actors, project)
    project.refresh_from_db()
    return services.project_award(actor=actors["purchaser"], project=project, bid=b, amount=Decimal("480000"),
                                  reason="综合评分第一", expected_version=project.version,
                                  today=award_day(project))


def award_day(project) -> dt.date:
    from gongxin.procurement.steps import award_opens_on

    return award_opens_on(project)


def contracted(actors, **overrides):
    project = awarded(actors, **overrides)
    services.contract_sign(actor=actors["purchaser"], project=project, number="ZHMZ-2026-001",
                           signed_on=project.awarded_on, amount=Decimal("480000"),
                           starts_on=project.service_starts_on, ends_on=project.service_ends_on,
                           document=pdf("合同.pdf"), expected_version=project.version, today=project.awarded_on)
    project.refresh_from_db()
    return project


def completed(actors, **overrides):
    """Contracted, and accepted on the last day of the service period."""
    project = contracted(actors, **overrides)
    end = project.contract.ends_on
    return services.project_complete(actor=actors["purchaser"], project=project, completed_on=end,
                                     expected_version=project.version, today=end)
