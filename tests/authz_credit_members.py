"""Authorization expectations for the member credit file pages (merged by test_authorization).

Organization A (a Zhuhai industry association) keeps the files; the Zhuhai officer and the
administrator read them; organization B (a 学会, not an association) gets a page saying who keeps
such files on the list and 404 everywhere else; the Foshan officer sees an empty overview of
their own jurisdiction and 404 on A's files; the public is sent to the login page."""

from gongxin.core import uscc
from tests.authz import only

MEMBER_USCC = uscc.generate(department="9", org_type="1", region_code="440402", serial=4242)
NEW_USCC = uscc.generate(department="9", org_type="1", region_code="440402", serial=4243)
KEEPER = {"org_user_a": 200}
READERS = {"org_user_a": 200, "officer_zhuhai": 200, "admin": 200}
OFFICERS_OF_A = {"officer_zhuhai": 200, "admin": 200}


def setup(actors) -> dict:
    from gongxin.credit.member_files import member_file_save

    f = member_file_save(actor=actors["org_user_a"], association=actors["org_a"], member_uscc=MEMBER_USCC,
                         data={"member_name": "珠海市甲贸易有限公司", "rating": "A", "rated_on": "2025-12-31",
                               "practice": "依法执业"})
    return {"member_file": f.pk}


EXPECTED = {
    "credit:members": ("/credit/members/", only({**READERS, "org_user_b": 200, "officer_foshan": 200})),
    "credit:member_new": ("/credit/members/new/", only(KEEPER)),
    "credit:member_export": ("/credit/members/export/", only(KEEPER)),
    "credit:member_import": ("/credit/members/import/", only(KEEPER)),
    "credit:member_import_template": ("/credit/members/import/template/", only(KEEPER)),
    "credit:member_assoc": ("/credit/members/assoc/{org_a}/", only(OFFICERS_OF_A)),
    "credit:member_assoc_export": ("/credit/members/assoc/{org_a}/export/", only(OFFICERS_OF_A)),
    "credit:member_detail": ("/credit/members/{member_file}/", only(READERS)),
    "credit:member_edit": ("/credit/members/{member_file}/edit/", only(KEEPER)),
    "credit:member_delete": ("/credit/members/{member_file}/delete/", only(KEEPER)),
}

_FILE = {"member_name": "珠海市乙科技有限公司", "rating": "B", "rated_on": "2025-06-30", "practice": "", "tax": "",
         "law_abidance": "", "financial_management": "", "notes": ""}

POSTS = {
    "credit:member_new": ("/credit/members/new/", {**_FILE, "member_uscc": NEW_USCC},
                          only({"org_user_a": 302})),
    "credit:member_edit": ("/credit/members/{member_file}/edit/", {**_FILE, "version": 1},
                           only({"org_user_a": 302})),
    "credit:member_delete": ("/credit/members/{member_file}/delete/", {"version": 1, "confirm": "on"},
                             only({"org_user_a": 302})),
    # No file chosen: the form says so (200); nobody else learns the page exists.
    "credit:member_import": ("/credit/members/import/", {}, only({"org_user_a": 200})),
}
