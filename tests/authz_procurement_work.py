"""Authorization expectations for the purchase-project work pages (merged by
test_authorization).

The purchaser's department (珠海市民政局) has five projects: a draft, a publicized one
(organization B applied), an awarded one, a contracted one undertaken by organization B
(with a milestone and the contract file) and a completed one whose evaluation is assigned to
the evaluator; and a function transferred to B. Organization B, because another part lists A
on the abnormal-activity list, which (rightly) stops A from applying. The projects don't ask
for the qualified catalogue, so nothing here collides with the qualification part's rows. Out of scope is 404;
the public is sent to log in."""

from tests.authz import every, only

DEPARTMENT = {"purchaser": 200, "admin": 200}
PROJECT_READERS = {"purchaser": 200, "admin": 200, "officer_zhuhai": 200}
OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ORG_USERS = {"org_user_a": 200, "org_user_b": 200}
TRANSFERS = {"purchaser": 200, "officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
POST_ONLY = {**every(405), "public": 302}


def setup(actors) -> dict:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from gongxin.procurement import services
    from gongxin.procurement.models import Catalogue, TransferableFunction
    from tests.procurement.factories_projects import pdf

    purchaser, today = actors["purchaser"], timezone.localdate()
    start = today + dt.timedelta(days=15)
    # No catalogue rows in force: the catalogue part's "current batch" pages stay as it set them
    # up. The projects name no service (the form requires one, the service does not), and the
    # transferred function comes from a superseded batch.
    old = Catalogue.objects.create(kind="functions", region_id="440400", year=2020, batch=97, title="授权测试旧目录",
                                   status="superseded", published_on=dt.date(2020, 1, 1))
    function = TransferableFunction.objects.create(catalogue=old, code="AUTHZF", name="授权测试职能",
                                                   department_name=purchaser.department.name, mode="entrust")

    def make(title):
        return services.project_create(
            actor=purchaser, service=None, title=title, description="授权测试", budget=Decimal("100000"),
            method="public_tender", procurement_starts_on=start, bid_deadline=start + dt.timedelta(days=5),
            service_starts_on=start + dt.timedelta(days=10), service_ends_on=start + dt.timedelta(days=100),
            require_qualified=False)

    def publicize(p):
        return services.project_publicize(actor=purchaser, project=p, expected_version=p.version, today=today)

    def award(p, who="org_user_b"):
        p = publicize(p)
        bid = services.bid_submit(actor=actors[who], project=p, amount=Decimal("90000"), proposal="方案", today=today)
        p.refresh_from_db()
        return services.project_award(actor=purchaser, project=p, bid=bid, amount=Decimal("90000"), reason="第一",
                                      expected_version=p.version, today=p.bid_deadline + dt.timedelta(days=1)), bid

    def contract(p):
        services.contract_sign(actor=purchaser, project=p, number=f"HT-{p.pk}", signed_on=p.awarded_on,
                               amount=Decimal("90000"), starts_on=p.service_starts_on, ends_on=p.service_ends_on,
                               document=pdf(), expected_version=p.version, today=p.awarded_on)
        p.refresh_from_db()
        return p

    draft = make("草稿项目")
    public = publicize(make("公示中项目"))
    bid = services.bid_submit(actor=actors["org_user_b"], project=public, amount=Decimal("90000"), proposal="方案",
                              today=today)
    awarded, _bid = award(make("已中标项目"))
    contracted = contract(award(make("履约中项目"))[0])
    milestone = services.milestone_add(actor=purchaser, project=contracted, title="中期", due_on=start)
    finished = contract(award(make("已完成项目"))[0])
    finished = services.project_complete(actor=purchaser, project=finished, completed_on=finished.service_ends_on,
                                         expected_version=finished.version, today=finished.service_ends_on)
    evaluation = services.evaluation_assign(actor=purchaser, project=finished, evaluator=actors["evaluator"])
    transfer = services.function_transfer_create(
        actor=purchaser, function=function, organization=actors["org_b"],
        started_on=today)
    return {"pw_draft": draft.pk, "pw_public": public.pk, "pw_awarded": awarded.pk, "pw_contracted": contracted.pk,
            "pw_completed": finished.pk, "pw_milestone": milestone.pk, "pw_bid": bid.pk,
            "pw_document": contracted.documents.get(kind="contract").pk, "pw_evaluation": evaluation.pk,
            "pw_transfer": transfer.pk}


P = "/procurement/work"
EXPECTED = {
    "procurement:work_home": (f"{P}/", {**every(302), "founder": 404, "sponsor": 404}),
    "procurement:work_projects": (f"{P}/projects/?status=draft&sort=-budget", only(DEPARTMENT)),
    "procurement:work_projects_export": (f"{P}/projects/export/", POST_ONLY),
    "procurement:project_create": (f"{P}/projects/new/", only({"purchaser": 200})),
    # Organization B undertakes the contracted project: it reads its workspace (and reports).
    "procurement:project_detail": (f"{P}/projects/{{pw_contracted}}/", only({**PROJECT_READERS, "org_user_b": 200})),
    "procurement:project_edit": (f"{P}/projects/{{pw_draft}}/edit/", only({"purchaser": 200})),
    "procurement:project_publicize": (f"{P}/projects/{{pw_draft}}/publicize/", only({"purchaser": 200})),
    "procurement:project_award": (f"{P}/projects/{{pw_public}}/award/", POST_ONLY),
    "procurement:project_unsuccessful": (f"{P}/projects/{{pw_public}}/unsuccessful/", POST_ONLY),
    "procurement:project_cancel": (f"{P}/projects/{{pw_public}}/cancel/", only({"purchaser": 200})),
    "procurement:contract_sign": (f"{P}/projects/{{pw_awarded}}/contract/", only({"purchaser": 200})),
    "procurement:milestone_add": (f"{P}/projects/{{pw_contracted}}/milestones/", POST_ONLY),
    "procurement:tracking_report_submit": (f"{P}/projects/{{pw_contracted}}/tracking/", POST_ONLY),
    "procurement:project_complete": (f"{P}/projects/{{pw_contracted}}/complete/", POST_ONLY),
    "procurement:evaluation_assign": (f"{P}/projects/{{pw_completed}}/evaluation/", POST_ONLY),
    "procurement:milestone_mark": (f"{P}/milestones/{{pw_milestone}}/mark/", POST_ONLY),
    "procurement:project_document": (f"{P}/documents/{{pw_document}}/", only({**PROJECT_READERS, "org_user_b": 200})),
    "procurement:work_evaluations": (f"{P}/evaluations/", only({"evaluator": 200, "admin": 200})),
    "procurement:evaluation_detail": (f"{P}/evaluations/{{pw_evaluation}}/",
                                      only({**PROJECT_READERS, "evaluator": 200})),
    "procurement:work_opportunities": (f"{P}/opportunities/", only(ORG_USERS)),
    # Both Zhuhai organizations see the city's project; A reads it, B sees its application.
    "procurement:bid_create": (f"{P}/opportunities/{{pw_public}}/", only(ORG_USERS)),
    "procurement:work_bids": (f"{P}/bids/", only(ORG_USERS)),
    "procurement:bid_withdraw": (f"{P}/bids/{{pw_bid}}/withdraw/", only({"org_user_b": 200})),  # confirmation page
    "procurement:work_awarded": (f"{P}/awarded/", only(ORG_USERS)),
    "procurement:work_supervision": (f"{P}/supervision/?year=2026", only(OFFICERS)),
    "procurement:work_transfers": (f"{P}/transfers/", only(TRANSFERS)),
    "procurement:transfer_create": (f"{P}/transfers/new/", only(TRANSFERS)),
    "procurement:transfer_detail": (f"{P}/transfers/{{pw_transfer}}/",
                                    only({"purchaser": 200, "officer_zhuhai": 200, "admin": 200})),
    "procurement:transfer_revoke": (f"{P}/transfers/{{pw_transfer}}/revoke/", POST_ONLY),
}

# Empty or incomplete forms: those who may act get their form back with its errors (400) or a
# message on the workspace (302); nobody else learns the object exists (404). Nothing changes.
POSTS = {
    "procurement:work_projects_export": (f"{P}/projects/export/", {"status": "draft"},
                                         only({"purchaser": 302, "admin": 302})),
    "procurement:project_create": (f"{P}/projects/new/", {}, only({"purchaser": 400})),
    "procurement:project_edit": (f"{P}/projects/{{pw_draft}}/edit/", {}, only({"purchaser": 400})),
    "procurement:project_publicize": (f"{P}/projects/{{pw_draft}}/publicize/", {}, only({"purchaser": 400})),
    "procurement:project_award": (f"{P}/projects/{{pw_public}}/award/", {}, only({"purchaser": 400})),
    "procurement:project_unsuccessful": (f"{P}/projects/{{pw_public}}/unsuccessful/", {}, only({"purchaser": 400})),
    "procurement:project_cancel": (f"{P}/projects/{{pw_public}}/cancel/", {}, only({"purchaser": 400})),
    "procurement:contract_sign": (f"{P}/projects/{{pw_awarded}}/contract/", {}, only({"purchaser": 400})),
    "procurement:milestone_add": (f"{P}/projects/{{pw_contracted}}/milestones/", {}, only({"purchaser": 400})),
    "procurement:milestone_mark": (f"{P}/milestones/{{pw_milestone}}/mark/", {}, only({"purchaser": 302})),
    "procurement:tracking_report_submit": (f"{P}/projects/{{pw_contracted}}/tracking/", {},
                                           only({"purchaser": 400, "org_user_b": 400})),
    "procurement:project_complete": (f"{P}/projects/{{pw_contracted}}/complete/", {}, only({"purchaser": 400})),
    "procurement:evaluation_assign": (f"{P}/projects/{{pw_completed}}/evaluation/", {"evaluator": "x"},
                                      only({"purchaser": 400})),
    "procurement:evaluation_detail": (f"{P}/evaluations/{{pw_evaluation}}/", {}, only({"evaluator": 400})),
    "procurement:bid_create": (f"{P}/opportunities/{{pw_public}}/", {}, only({"org_user_a": 400, "org_user_b": 400})),
    # B's own bid: withdrawn (302 with a message); A's attempt is a 404.
    "procurement:bid_withdraw": (f"{P}/bids/{{pw_bid}}/withdraw/", {"confirm": "on"}, only({"org_user_b": 302})),
    "procurement:transfer_create": (f"{P}/transfers/new/", {}, only({k: 400 for k in TRANSFERS})),
    "procurement:transfer_revoke": (f"{P}/transfers/{{pw_transfer}}/revoke/", {},
                                    only({"purchaser": 400, "officer_zhuhai": 400, "admin": 400})),
}
