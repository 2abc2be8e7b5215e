"""Demo credit supervision, made through the real services and the real engine, so the public
lists, the officer's worklist and the organization's credit page all have something true to
show: penalties and court-defaulter records across Guangdong decided over the last months, the
engine run as of 40 days ago (notices), most of those notices listed after their objection
period, then the engine run as of today (fresh notices still open to objection), a banned
illegal organization, and the integrity commitment text of Guangdong."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from gongxin.credit import engine
from gongxin.credit.models import (
    BannedOrganization,
    CommitmentText,
    IntegrityCommitment,
    ListEntry,
    ListingStatus,
    Penalty,
    RecordKind,
)
from gongxin.credit.services import penalty_decide, record_create
from gongxin.registry.models import Organization, OrgStatus

FACTS = ["未按照章程规定召开会员大会和理事会", "违反规定收取费用", "超出章程规定的宗旨和业务范围进行活动",
         "不按照规定办理变更登记", "财务管理混乱,票据使用不规范", "拒不接受或者不按照规定接受监督检查"]
BASIS = "《社会团体登记管理条例》第三十条"
COMMITMENT = """一、遵守宪法、法律、法规和国家政策,遵守社会道德风尚,依照章程开展活动。
二、不以营利为目的,不违规收费,不强制入会,不搞利益输送。
三、依法履行信息公开义务,按时报送年度工作报告,真实、完整、准确地公开相关信息。
四、加强内部治理,健全财务管理制度,自觉接受登记管理机关、业务主管单位和社会监督。
五、诚信执业、公平竞争,维护行业秩序和会员合法权益。
如有违反,自愿接受相关部门依法依规作出的处理,并承担相应责任。"""


def seed_credit_demo(*, as_of: dt.date, seed: int) -> dict:
    """Needs the demo accounts (the officers decide); does nothing without them or when credit
    data exists already."""
    from gongxin.accounts.models import Role, User

    officers = {u.jurisdiction_id: u for u in User.objects.filter(role=Role.OFFICER, username__startswith="officer")}
    officer = officers.get("440400")
    if officer is None or Penalty.objects.exists():
        return {}
    admin = officers.get("440000") or officer

    def officer_for(region_prefix: str):
        return officers.get(region_prefix[:4] + "00") or admin
    rng = random.Random(seed)
    orgs = list(Organization.objects.filter(status=OrgStatus.ACTIVE, region_prefix__startswith="44")
                .order_by("id").values_list("id", flat=True)[:20000])
    # About 1 organization in 75 (12 to 120): real registries sanction a small share each year.
    picked = rng.sample(orgs, min(len(orgs), max(12, min(120, len(orgs) // 75))))
    penalties = 0
    with transaction.atomic():
        for n, org_id in enumerate(picked):
            org = Organization.objects.get(pk=org_id)
            actor = officer_for(org.region_prefix)
            decided = as_of - dt.timedelta(days=45 + rng.randrange(0, 120))
            if n % 10 == 9:
                record_create(actor=actor, organization=org, kind=RecordKind.COURT_DEFAULTER,
                              title="被人民法院列为失信被执行人", source="最高人民法院失信被执行人名单",
                              deciding_body="广东省高级人民法院", occurred_on=decided, today=as_of, evaluate=False)
                continue
            kind, amount = rng.choice([("warning", None), ("warning", None), ("fine", "20000"), ("fine", "60000"),
                                       ("fine", "5000")])
            penalty_decide(actor=actor, organization=org, kind=kind, amount=Decimal(amount) if amount else None,
                           decision_number=f"粤民罚字〔{decided.year}〕{1000 + n}号", facts=rng.choice(FACTS),
                           legal_basis=BASIS, decided_on=decided, today=as_of, evaluate=False)
            penalties += 1
        # The demo organization user's own association: a recent warning, its notice still open.
        demo_org = User.objects.filter(username="org_zhuhai").values_list("organization_id", flat=True).first()
        if demo_org:
            penalty_decide(actor=officer, organization=Organization.objects.get(pk=demo_org), kind="warning",
                           decision_number=f"珠民罚字〔{as_of.year}〕8号", facts="未按规定办理负责人变更登记",
                           legal_basis="《社会团体登记管理条例》第三十条第(二)项", decided_on=as_of - dt.timedelta(days=3),
                           today=as_of, evaluate=False)
        BannedOrganization.objects.create(
            name="中华传统文化研究总会", region_id="440400", region_prefix="4404",
            decision_number=f"珠民取字〔{as_of.year}〕1号", banned_on=as_of - dt.timedelta(days=60),
            facts="未经登记,擅自以社会团体名义开展活动,发展会员并收取会费",
            legal_basis="《社会团体登记管理条例》第三十二条;《取缔非法民间组织暂行办法》", recorded_by=officer)
        CommitmentText.objects.create(region_id="440000", title="广东省社会组织诚信自律承诺书", body=COMMITMENT,
                                      effective_from=dt.date(as_of.year, 1, 1), created_by=officer)
    demo_user = User.objects.filter(username="org_zhuhai").select_related("organization").first()
    if demo_user is not None:
        _demo_association(demo_user, as_of, rng)
    earlier = engine.evaluate(today=as_of - dt.timedelta(days=40), actor=None)
    noticed = list(ListEntry.objects.filter(status=ListingStatus.NOTICED, objection_due__lt=as_of - dt.timedelta(days=20)))
    # A few Zhuhai notices are left for the officer to list (their objection period is over).
    waiting = [e for e in noticed if e.region_prefix.startswith("4404") and e.organization_id != demo_org][:3]
    noticed = [e for e in noticed if e not in waiting]
    with transaction.atomic():
        for entry in noticed:
            engine.entries_list([entry], actor=officer_for(entry.region_prefix),
                                today=entry.objection_due + dt.timedelta(days=1))
        # Fresh penalties in Zhuhai: notices still within their objection period.
        fresh = (Organization.objects.filter(status=OrgStatus.ACTIVE, region_prefix__startswith="4404")
                 .exclude(pk=demo_org).exclude(list_entries__isnull=False).order_by("id")[:3])
        for n, org in enumerate(fresh):
            penalty_decide(actor=officer, organization=org, kind="warning" if n else "fine",
                           amount=Decimal("80000") if not n else None, decided_on=as_of - dt.timedelta(days=2 + n),
                           decision_number=f"珠民罚字〔{as_of.year}〕{20 + n}号", facts=FACTS[n], legal_basis=BASIS,
                           today=as_of, evaluate=False)
    now = engine.evaluate(today=as_of, actor=None)
    if demo_user is not None:
        # The demo association applies to be removed from the abnormal list (its report came in).
        from gongxin.credit.services import removal_apply

        entry = ListEntry.objects.filter(organization=demo_user.organization, status=ListingStatus.LISTED,
                                         list="abnormal").first()
        if entry is not None:
            removal_apply(actor=demo_user, entry=entry, today=as_of,
                          statement="已于本月补报上一年度工作报告,并按要求完成负责人变更登记。")
    return {"penalties": penalties, "noticed_earlier": earlier.counts.get("noticed", 0), "listed": len(noticed),
            "noticed_now": now.counts.get("noticed", 0), "commitments": IntegrityCommitment.objects.count()}


MEMBERS = ["珠海市华兴电器有限公司", "珠海市海创科技有限公司", "珠海市宏达家电销售有限公司", "珠海市格力达电子有限公司",
           "珠海市远航物流有限公司", "珠海市嘉禾电器维修服务部", "珠海市南湾智能家居有限公司", "珠海市明珠电器贸易有限公司"]


def _demo_association(user, as_of: dt.date, rng: random.Random) -> None:
    """The demo association signs Guangdong's commitment and keeps credit files on a few members."""
    from gongxin.core import uscc
    from gongxin.credit.commitments import commitment_sign, commitment_text_for
    from gongxin.credit.member_files import is_association, member_file_save

    org = user.organization
    text = commitment_text_for(org, as_of)
    if text is not None:
        commitment_sign(actor=user, organization=org, text=text, signatory=org.legal_representative,
                        signatory_position="会长", today=as_of)
    if not is_association(org):
        return
    for n, name in enumerate(MEMBERS):
        rating = "ABBACBDA"[n]
        member_file_save(actor=user, association=org, member_uscc=uscc.generate(
            org_type="1", region_code="440402", serial=7000 + n, department="9"), data={
            "member_name": name, "practice": "持证经营,近三年无重大质量投诉" if rating in "AB" else "曾因虚假宣传被投诉",
            "tax": "按期申报纳税,纳税信用等级" + rating, "law_abidance": "无行政处罚记录" if rating != "D" else "2025年受到市场监管部门罚款",
            "financial_management": "财务制度健全,年度审计无保留意见" if rating in "AB" else "账目不够规范",
            "rating": rating, "rated_on": as_of - dt.timedelta(days=30 + 7 * n), "notes": ""})
