"""Authorization expectations for the officer's credit workspace (/credit/manage/), merged by
tests/test_authorization.py."""

from tests.authz import every, only, signed_in_only  # noqa: F401


def setup(actors) -> dict:
    """Organization A (Zhuhai) with a notice in its objection period (a ¥60,000 fine) and a listed
    abnormal entry (no Party organization) with a pending removal application."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from gongxin.credit import engine, services
    from gongxin.credit.models import CreditList, ListEntry, ListingStatus, RecordKind

    officer, org = actors["officer_zhuhai"], actors["org_a"]
    today = timezone.localdate()
    record = services.record_create(actor=officer, organization=org, kind=RecordKind.PARTY_ORG_MISSING,
                                    title="未按规定建立党组织", source="党建工作检查", deciding_body="珠海市民政局",
                                    occurred_on=today - dt.timedelta(days=60), evaluate=False)
    engine.evaluate(organization=org, today=today - dt.timedelta(days=40))
    abnormal = ListEntry.objects.get(organization=org, list=CreditList.ABNORMAL)
    abnormal = services.listing_confirm(actor=officer, entry=abnormal, expected_version=abnormal.version, today=today)
    removal = services.removal_apply(actor=actors["org_user_a"], entry=abnormal, statement="已建立党支部", today=today)
    services.penalty_decide(actor=officer, organization=org, kind="fine", decision_number="珠民罚字〔2026〕authz号",
                            facts="违规收费", legal_basis="《社会团体登记管理条例》第三十条", decided_on=today,
                            amount=Decimal("60000"))
    engine.evaluate(organization=org, today=today)
    notice = ListEntry.objects.get(organization=org, list=CreditList.DISHONEST, status=ListingStatus.NOTICED)
    return {"cr_notice": notice.pk, "cr_listed": abnormal.pk, "cr_removal": removal.pk, "cr_record": record.pk}


# Officers of any jurisdiction have a workspace; Zhuhai's entries, organizations and applications
# are the Zhuhai officer's and the administrator's alone. Everyone else: 404 (no existence leak),
# the public to the login page.
OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ZHUHAI = {"officer_zhuhai": 200, "admin": 200}
M = "/credit/manage"

EXPECTED = {
    "credit:manage_worklist": (f"{M}/", only(OFFICERS)),
    "credit:manage_entry": (f"{M}/entries/{{cr_notice}}/", only(ZHUHAI)),
    "credit:manage_entry_confirm": (f"{M}/entries/{{cr_notice}}/confirm/", signed_in_only(405)),  # POST only
    "credit:manage_entry_withdraw": (f"{M}/entries/{{cr_notice}}/withdraw/", signed_in_only(405)),
    "credit:manage_removal_decide": (f"{M}/removals/{{cr_removal}}/decide/", signed_in_only(405)),
    "credit:manage_orgs": (f"{M}/orgs/?q=测试", only(OFFICERS)),
    "credit:manage_org": (f"{M}/orgs/{{org_a}}/", only(ZHUHAI)),
    "credit:manage_penalty_new": (f"{M}/orgs/{{org_a}}/penalties/new/", only(ZHUHAI)),
    "credit:manage_record_new": (f"{M}/orgs/{{org_a}}/records/new/", only(ZHUHAI)),
    "credit:manage_org_evaluate": (f"{M}/orgs/{{org_a}}/evaluate/", signed_in_only(405)),
    "credit:manage_record_resolve": (f"{M}/records/{{cr_record}}/resolve/", only(ZHUHAI)),
    "credit:manage_banned": (f"{M}/banned/", only(OFFICERS)),
    "credit:manage_banned_new": (f"{M}/banned/new/", only(OFFICERS)),
    "credit:manage_import": (f"{M}/import/", only(OFFICERS)),
    "credit:manage_import_template": (f"{M}/import/template/", only(OFFICERS)),
    "credit:manage_exports": (f"{M}/exports/", only(OFFICERS)),
    "credit:manage_export_download": (f"{M}/exports/download/", signed_in_only(405)),
}

# Empty or incomplete forms: those allowed get the form back with its errors (200) or a message
# on the page they came from (302); nothing changes. Everyone else cannot learn the object exists.
POSTS = {
    "credit:manage_entry_confirm": (f"{M}/entries/{{cr_notice}}/confirm/", {}, only(ZHUHAI)),
    "credit:manage_entry_withdraw": (f"{M}/entries/{{cr_notice}}/withdraw/", {}, only(ZHUHAI)),
    "credit:manage_removal_decide": (f"{M}/removals/{{cr_removal}}/decide/", {}, only(ZHUHAI)),
    "credit:manage_penalty_new": (f"{M}/orgs/{{org_a}}/penalties/new/", {}, only(ZHUHAI)),
    "credit:manage_record_new": (f"{M}/orgs/{{org_a}}/records/new/", {}, only(ZHUHAI)),
    "credit:manage_org_evaluate": (f"{M}/orgs/{{org_a}}/evaluate/", {},
                                   only({"officer_zhuhai": 302, "admin": 302})),
    "credit:manage_record_resolve": (f"{M}/records/{{cr_record}}/resolve/", {},
                                     only({"officer_zhuhai": 302, "admin": 302})),
    "credit:manage_banned_new": (f"{M}/banned/new/", {}, only(OFFICERS)),
    "credit:manage_import": (f"{M}/import/", {}, only(OFFICERS)),
    "credit:manage_export_download": (f"{M}/exports/download/", {},
                                      only({"officer_zhuhai": 400, "officer_foshan": 400, "admin": 400})),
}
