"""Account services."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from gongxin.accounts.models import Role, User
from gongxin.core.audit import audit_record
from gongxin.core.regions import prefix_of
from gongxin.registry.models import Organization, OrgStatus, OrgSubtype, SponsorUnit

# Published in the README: only ever set while GONGXIN_DEMO is on.
DEMO_PASSWORD = "Gongxin-demo-2026"

DEMO_ACCOUNTS = [
    # username, display name, role, unit, jurisdiction
    ("admin", "系统管理员", Role.ADMIN, "广东省民政厅信息中心", None),
    ("officer_gd", "广东省民政厅 陈科长", Role.OFFICER, "广东省民政厅社会组织管理局", "440000"),
    ("officer_zhuhai", "珠海市民政局 李科员", Role.OFFICER, "珠海市民政局", "440400"),
    ("officer_foshan", "佛山市民政局 黄科员", Role.OFFICER, "佛山市民政局", "440600"),
    ("org_zhuhai", "珠海协会 秘书处", Role.ORG_USER, "", None),
    ("sponsor_zhuhai", "业务主管单位 联络员", Role.SPONSOR, "", None),
    ("founder", "筹备组 王先生", Role.FOUNDER, "", None),
    ("purchaser_zhuhai", "珠海市民政局 采购经办人", Role.PURCHASER, "珠海市民政局", "440400"),
    ("evaluator", "第三方评估机构 评估员", Role.EVALUATOR, "广东省社会组织评估中心", None),
]


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (username, role, password).

    In demo mode all share DEMO_PASSWORD; otherwise each gets a random password, shown once."""
    zhuhai_assoc = (
        Organization.objects.filter(region_prefix__startswith="4404", subtype=OrgSubtype.INDUSTRY_ASSOCIATION,
                                    status=OrgStatus.ACTIVE).order_by("id").first()
    )
    sponsor = SponsorUnit.objects.filter(region__code__startswith="4404").order_by("id").first()
    created = []
    for username, display, role, unit, jurisdiction in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        if role == Role.ORG_USER and zhuhai_assoc is None or role == Role.SPONSOR and sponsor is None:
            continue
        password = DEMO_PASSWORD if settings.DEMO else secrets.token_urlsafe(12)
        department = None
        if role == Role.PURCHASER:
            # The purchaser acts for a department of the region (its projects are its scope).
            from gongxin.procurement.models import Department

            department, _ = Department.objects.get_or_create(
                region_id=jurisdiction, name=unit, defaults={"region_prefix": prefix_of(jurisdiction)})
        user = User(
            username=username, display_name=display, role=role,
            unit_name=(zhuhai_assoc.name if role == Role.ORG_USER else sponsor.name if role == Role.SPONSOR else unit),
            jurisdiction_id=jurisdiction if role == Role.OFFICER else None,
            department=department,
            organization=zhuhai_assoc if role == Role.ORG_USER else None,
            sponsor_unit=sponsor if role == Role.SPONSOR else None,
            is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
            # A random password is shown once to whoever ran the command: the user must replace it.
            must_change_password=not settings.DEMO,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(actor=None, action="accounts.create", obj=user, after={"username": username, "role": role})
        created.append((username, role, password))
    return created
