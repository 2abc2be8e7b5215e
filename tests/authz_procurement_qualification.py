"""Authorization expectations for the qualified organizations catalogue (merged by
test_authorization). The catalogue and its download are public; the "mine" page is the
organization users'; the queue and publication are the officers' (each sees its own
jurisdiction: Foshan's officer gets an empty queue, and a 404 on Zhuhai's application).

``setup`` registers an organization of its own for the application, so the one-open-application
constraint cannot collide with another part's setup on organization A or B."""

from tests.authz import every, only

ORG_USERS = {"org_user_a": 200, "org_user_b": 200}
OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ZHUHAI = {"officer_zhuhai": 200, "admin": 200}


def setup(actors) -> dict:
    import datetime as dt
    from decimal import Decimal

    from gongxin.core import uscc
    from gongxin.core.models import Region
    from gongxin.procurement.models import Catalogue, QualificationApplication
    from gongxin.registry.models import USCC_TYPE_DIGIT
    from gongxin.registry.services import organization_register

    authority = Region.objects.get(code="440400")
    org = organization_register(
        actor=None, uscc=uscc.generate(org_type=USCC_TYPE_DIGIT["social_group"], region_code="440400", serial=97301),
        name="珠海市资质授权测试协会", org_type="social_group", registration_authority=authority,
        legal_representative="李明", address="珠海市测试路1号", business_scope="行业服务",
        established_on=dt.date(2015, 7, 1), registered_capital=Decimal("10.00"))
    catalogue = Catalogue.objects.create(kind="qualified", region=authority, region_prefix="4404", year=2025,
                                         batch=90, title="珠海市授权测试批", status="published",
                                         published_on=dt.date(2025, 12, 1))
    app = QualificationApplication.objects.create(
        organization=org, region=authority, region_prefix="4404", service_areas="行业培训", status="published",
        eligible=True, catalogue=catalogue)
    return {"qual_app": app.pk, "qual_version": app.version}


EXPECTED = {
    "procurement:qualified_public": ("/procurement/qualification/?q=协会", every(200)),
    "procurement:qualified_export": ("/procurement/qualification/export/", every(200)),
    "procurement:qualification_mine": ("/procurement/qualification/mine/", only(ORG_USERS)),
    "procurement:qualification_queue": ("/procurement/qualification/manage/?status=published", only(OFFICERS)),
    "procurement:qualification_queue_export": ("/procurement/qualification/manage/export/", every(405)),
    # Officers with a jurisdiction see its (empty) batch; the administrator chooses one first.
    "procurement:qualified_publish": ("/procurement/qualification/manage/publish/", only(OFFICERS)),
    "procurement:qualification_detail": ("/procurement/qualification/manage/{qual_app}/", only(ZHUHAI)),
    "procurement:qualification_decide": ("/procurement/qualification/manage/{qual_app}/decide/", every(405)),
    "procurement:qualification_withdraw": ("/procurement/qualification/manage/{qual_app}/withdraw/", only(ZHUHAI)),
}

POSTS = {
    # An incomplete application comes back with its errors (200); nothing is stored.
    "procurement:qualification_mine": ("/procurement/qualification/mine/", {}, only(ORG_USERS)),
    "procurement:qualification_queue_export": ("/procurement/qualification/manage/export/", {},
                                               only({"officer_zhuhai": 302, "officer_foshan": 302, "admin": 302})),
    # The published application is no longer open to a decision: the form comes back (200).
    "procurement:qualification_decide": ("/procurement/qualification/manage/{qual_app}/decide/", {},
                                         only(ZHUHAI)),
    # Unconfirmed: the confirmation page again (200), nothing published; the administrator, with no
    # jurisdiction named, gets the chooser.
    "procurement:qualified_publish": ("/procurement/qualification/manage/publish/", {}, only(OFFICERS)),
    "procurement:qualification_withdraw": ("/procurement/qualification/manage/{qual_app}/withdraw/", {},
                                           only(ZHUHAI)),
}
