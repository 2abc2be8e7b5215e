"""Authorization expectations for the transferable-functions and purchasable-services catalogues
(merged by test_authorization).

Zhuhai has a published functions catalogue (public: everyone reads and exports it) and a draft
services catalogue, which exists only for the Zhuhai officer and the administrator: the Foshan
officer, like every other signed-in actor, gets a 404; the public is sent to log in. Every
officer may open the workspace of their own jurisdiction."""

from tests.authz import SIGNED_IN, every, only

OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
ZHUHAI = {"officer_zhuhai": 200, "admin": 200}
ZHUHAI_REDIRECT = {"officer_zhuhai": 302, "admin": 302}


def setup(actors) -> dict:
    from gongxin.core.models import Region
    from gongxin.procurement import catalogues as cat
    from gongxin.procurement.models import CatalogueKind, TransferMode

    officer = actors["officer_zhuhai"]
    zhuhai = Region.objects.get(code="440400")
    functions = cat.catalogue_create(actor=officer, kind=CatalogueKind.FUNCTIONS, region=zhuhai, year=2026,
                                     title="珠海市政府职能转移目录（2026年）")
    published_item = cat.function_add(actor=officer, catalogue=functions, code="1", name="行业统计调查",
                                      department_name="珠海市统计局", mode=TransferMode.ENTRUST)
    functions.refresh_from_db()
    cat.catalogue_publish(actor=officer, catalogue=functions, expected_version=functions.version)
    draft = cat.catalogue_create(actor=officer, kind=CatalogueKind.SERVICES, region=zhuhai, year=2026,
                                 title="珠海市政府购买服务指导目录（2026年）")
    item = cat.service_add(actor=officer, catalogue=draft, code="1", name="居家养老上门服务", category="A05")
    return {"catalogue_published": functions.pk, "catalogue_published_item": published_item.pk,
            "catalogue_draft": draft.pk, "catalogue_draft_item": item.pk}


M = "/procurement/catalogues/manage"
EXPECTED = {
    "procurement:catalogue_index": ("/procurement/catalogues/?q=养老", every(200)),
    "procurement:catalogue_detail": ("/procurement/catalogues/{catalogue_published}/?category=A", every(200)),
    "procurement:catalogue_export": ("/procurement/catalogues/{catalogue_published}/export/", every(200)),
    "procurement:catalogue_manage": (f"{M}/", only(OFFICERS)),
    "procurement:catalogue_create": (f"{M}/new/", only(OFFICERS)),
    "procurement:catalogue_template": (f"{M}/template/services/", only(OFFICERS)),
    "procurement:catalogue_edit": (f"{M}/{{catalogue_draft}}/", only(ZHUHAI)),
    "procurement:catalogue_item_add": (f"{M}/{{catalogue_draft}}/items/new/", only(ZHUHAI)),
    "procurement:catalogue_item_edit": (f"{M}/{{catalogue_draft}}/items/{{catalogue_draft_item}}/", only(ZHUHAI)),
    "procurement:catalogue_item_delete": (f"{M}/{{catalogue_draft}}/items/{{catalogue_draft_item}}/delete/",
                                          only(ZHUHAI)),
    "procurement:catalogue_import": (f"{M}/{{catalogue_draft}}/import/", only(ZHUHAI)),
    "procurement:catalogue_publish": (f"{M}/{{catalogue_draft}}/publish/", only(ZHUHAI)),
    "procurement:catalogue_delete": (f"{M}/{{catalogue_draft}}/delete/", only(ZHUHAI)),
}

# Incomplete forms: nothing changes whoever posts. The forms come back with their errors (200;
# 400 for an import without a file); a confirmation without its version sends back (302).
POSTS = {
    "procurement:catalogue_index": ("/procurement/catalogues/", {}, every(405)),
    "procurement:catalogue_create": (f"{M}/new/", {}, only(OFFICERS)),
    "procurement:catalogue_item_add": (f"{M}/{{catalogue_draft}}/items/new/", {}, only(ZHUHAI)),
    "procurement:catalogue_item_edit": (f"{M}/{{catalogue_draft}}/items/{{catalogue_draft_item}}/", {},
                                        only(ZHUHAI)),
    "procurement:catalogue_item_delete": (f"{M}/{{catalogue_draft}}/items/{{catalogue_draft_item}}/delete/", {},
                                          only(ZHUHAI_REDIRECT)),
    "procurement:catalogue_import": (f"{M}/{{catalogue_draft}}/import/", {},
                                     only({"officer_zhuhai": 400, "admin": 400})),
    "procurement:catalogue_publish": (f"{M}/{{catalogue_draft}}/publish/", {}, only(ZHUHAI_REDIRECT)),
    "procurement:catalogue_delete": (f"{M}/{{catalogue_draft}}/delete/", {}, only(ZHUHAI_REDIRECT)),
    "procurement:catalogue_edit": (f"{M}/{{catalogue_draft}}/", {}, {"public": 302, **dict.fromkeys(SIGNED_IN, 405)}),
}
