"""Authorization expectations for the officer's evaluation-grade pages (merged by
test_authorization). Officers see their own jurisdiction's grades (Foshan's an empty list) and
a 404 on another's; nobody else has these pages (the public sees grades on the profile)."""

from tests.authz import every, only

OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ZHUHAI = {"officer_zhuhai": 200, "admin": 200}


def setup(actors) -> dict:
    import datetime as dt

    from gongxin.evaluation.models import Evaluation

    evaluation = Evaluation.objects.create(organization=actors["org_b"], grade=4, decided_on=dt.date(2024, 3, 1),
                                           valid_until=dt.date(2029, 2, 28), deciding_body="珠海市社会组织评估委员会")
    return {"evaluation": evaluation.pk}


EXPECTED = {
    "evaluation:list": ("/evaluation/?state=in_force", only(OFFICERS)),
    "evaluation:export": ("/evaluation/export/", every(405)),
    "evaluation:record": ("/evaluation/new/", only(OFFICERS)),
    "evaluation:cancel": ("/evaluation/{evaluation}/cancel/", only(ZHUHAI)),
}

POSTS = {
    "evaluation:export": ("/evaluation/export/", {}, only({"officer_zhuhai": 302, "officer_foshan": 302, "admin": 302})),
    # Incomplete forms come back with their errors (200); nothing changes.
    "evaluation:record": ("/evaluation/new/", {}, only(OFFICERS)),
    "evaluation:cancel": ("/evaluation/{evaluation}/cancel/", {}, only(ZHUHAI)),
}
