"""Authorization expectations for the dormant organization pages (merged by test_authorization)."""

from tests.authz import every, only

SUPERVISORS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}


def setup(actors) -> dict:
    import datetime as dt

    from gongxin.annual.models import DormancyFinding

    finding = DormancyFinding.objects.create(
        organization=actors["org_a"], first_found_on=dt.date(2026, 6, 30), last_found_on=dt.date(2026, 6, 30),
        grounds=[{"ground": "reports_missed", "evidence": {"years": [2024, 2025]}}])
    return {"finding": finding.pk}


EXPECTED = {
    "annual:dormancy_list": ("/annual/dormancy/", only(SUPERVISORS)),
    "annual:dormancy_export": ("/annual/dormancy/export/", every(405)),  # POST only
    # Organization A is in Zhuhai: the Foshan officer cannot learn the finding exists.
    "annual:dormancy_decide": ("/annual/dormancy/{finding}/", only({"officer_zhuhai": 200, "admin": 200})),
}

POSTS = {
    "annual:dormancy_export": ("/annual/dormancy/export/", {"ground": "reports_missed"},
                               only({"officer_zhuhai": 302, "officer_foshan": 302, "admin": 302})),
    # The Zhuhai officer decides (302 to the list); the administrator, after them, is told on the
    # finding's page that it has been decided (302 too).
    "annual:dormancy_decide": ("/annual/dormancy/{finding}/", {"outcome": "rectify", "note": "限期整改"},
                               only({"officer_zhuhai": 302, "admin": 302})),
}
