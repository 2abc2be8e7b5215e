"""Authorization expectations for the random inspection and rectification pages (merged by
tests/test_authorization.py)."""

from tests.authz import ACTORS, every, only, signed_in_only  # noqa: F401


def setup(actors) -> dict:
    """Zhuhai's campaigns, made through the services by the Zhuhai officer: a draft, a drawn one
    (organization A's result "problems found", with a rectification notice) and a published one."""
    from gongxin.annual import inspections as svc

    officer = actors["officer_zhuhai"]

    def create(title):
        return svc.inspection_create(actor=officer, jurisdiction="440400", title=title, kind="spot_check",
                                     sample_share="100")

    draft = create("草稿抽查")
    drawn = svc.inspection_draw(actor=officer, inspection=create("已抽取抽查"), seed="authz")
    item = drawn.items.get(organization=actors["org_a"])
    item = svc.inspection_record_result(actor=officer, item=item, result="issues", findings="账目不清",
                                        expected_version=item.version)
    notice = svc.rectification_issue(actor=officer, inspection_item=item, requirements="规范财务管理")
    published = svc.inspection_draw(actor=officer, inspection=create("已公示抽查"), seed="authz-public")
    svc.inspection_publish(actor=officer, inspection=published)
    # Placeholder names are shared by every authz part: prefixed so that none collides.
    return {"insp_draft": draft.pk, "insp_drawn": drawn.pk, "insp_item": item.pk, "insp_notice": notice.pk,
            "insp_published": published.pk}


# Officers of any jurisdiction work with their own inspections; Zhuhai's objects are the Zhuhai
# officer's and the administrator's alone. Everyone else: 404 (no existence leak), the public
# to the login page.
OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ZHUHAI = {"officer_zhuhai": 200, "admin": 200}
P = "/annual/inspections"

EXPECTED = {
    "annual:inspection_list": (f"{P}/", only(OFFICERS)),
    "annual:inspection_create": (f"{P}/new/", only(OFFICERS)),
    "annual:inspection_detail": (f"{P}/{{insp_drawn}}/", only(ZHUHAI)),
    "annual:inspection_draw": (f"{P}/{{insp_draft}}/draw/", only(ZHUHAI)),  # the confirmation page
    "annual:inspection_publish": (f"{P}/{{insp_drawn}}/publish/", signed_in_only(405)),  # POST only
    "annual:inspection_item_result": (f"{P}/items/{{insp_item}}/result/", only(ZHUHAI)),
    "annual:rectification_issue": (f"{P}/items/{{insp_item}}/rectification/", only(ZHUHAI)),
    "annual:rectification_list": (f"{P}/rectifications/", only(OFFICERS)),
    "annual:rectification_export": (f"{P}/rectifications/export/", signed_in_only(405)),  # POST only
    "annual:rectification_mine": (f"{P}/rectifications/mine/",
                                  only({"org_user_a": 200, "org_user_b": 200, "admin": 200})),
    # Organization A reads its own notice; B, and Foshan's officer, cannot learn it exists.
    "annual:rectification_detail": (f"{P}/rectifications/{{insp_notice}}/", only({"org_user_a": 200, **ZHUHAI})),
    "annual:rectification_complete": (f"{P}/rectifications/{{insp_notice}}/complete/", signed_in_only(405)),
    "annual:inspection_public_list": (f"{P}/public/", every(200)),
    "annual:inspection_public_detail": (f"{P}/public/{{insp_published}}/", every(200)),
    "annual:inspection_public_candidates": (f"{P}/public/{{insp_published}}/candidates.txt", every(200)),
}

# Empty forms: those allowed get the form back with its errors (200), nothing changes.
POSTS = {
    "annual:inspection_create": (f"{P}/new/", {}, only(OFFICERS)),
    "annual:inspection_draw": (f"{P}/{{insp_draft}}/draw/", {}, only(ZHUHAI)),  # unconfirmed: not drawn
    "annual:inspection_item_result": (f"{P}/items/{{insp_item}}/result/", {}, only(ZHUHAI)),
    "annual:rectification_issue": (f"{P}/items/{{insp_item}}/rectification/", {}, only(ZHUHAI)),
    # The officers covering it get the confirmation page (200: nothing published yet).
    "annual:inspection_publish": (f"{P}/{{insp_drawn}}/publish/", {},
                                  only({"officer_zhuhai": 200, "admin": 200})),
    "annual:rectification_export": (f"{P}/rectifications/export/", {},
                                    only({"officer_zhuhai": 302, "officer_foshan": 302, "admin": 302})),
    # Only an officer confirms a completion; organization A may read its notice but not do this.
    "annual:rectification_complete": (f"{P}/rectifications/{{insp_notice}}/complete/", {}, only(ZHUHAI)),
}
