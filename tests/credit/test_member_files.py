"""Member credit files of industry associations (信誉档案, seed 000 §5): the association's pages,
the officers' read-only view, the Excel import and export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from gongxin.core import uscc
from gongxin.core.models import AuditEvent
from gongxin.credit import member_files as mf
from gongxin.credit.member_files_xlsx import COLUMNS
from gongxin.credit.models import MemberCreditFile
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit

pytestmark = pytest.mark.django_db

EN = {"django_language": "en"}
_serials = iter(range(5000, 9000))


def code(serial=None, region="440402"):
    return uscc.generate(department="9", org_type="1", region_code=region, serial=serial or next(_serials))


def bad_check(good: str) -> str:
    """The same code with a wrong check character."""
    last = uscc.CHARSET[(uscc.CHARSET.index(good[-1]) + 1) % len(uscc.CHARSET)]
    return good[:-1] + last


def en(client):
    client.cookies.load(EN)
    return client


def make_file(actors, name="珠海市甲贸易有限公司", rating="A", member=None, **extra):
    data = {"member_name": name, "rating": rating, "rated_on": dt.date(2025, 12, 31), **extra}
    return mf.member_file_save(actor=actors["org_user_a"], association=actors["org_a"],
                               member_uscc=member or code(), data=data)


def form_data(**overrides):
    return {"member_name": "珠海市乙科技有限公司", "member_uscc": code(), "practice": "依法执业，无投诉",
            "tax": "按期纳税", "law_abidance": "无违法记录", "financial_management": "账目清楚",
            "rating": "A", "rated_on": "2025-06-30", "notes": "", **overrides}


def xlsx(rows, header=None) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header or [c.zh for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("members.xlsx", buffer.getvalue())


def row(name, member, rating="A", rated_on="2025-12-31", practice="依法执业"):
    return [name, member, practice, "按期纳税", "无违法记录", "账目清楚", rating, rated_on, ""]


# --------------------------------------------------------------------------- the form


def test_association_creates_a_file_through_the_form(actors, client_for):
    client = en(client_for("org_user_a"))
    data = form_data()
    response = client.post("/credit/members/new/", data)
    f = MemberCreditFile.objects.get(association=actors["org_a"], member_uscc=data["member_uscc"])
    assert response.status_code == 302 and response["Location"] == f"/credit/members/{f.pk}/"
    assert (f.member_name, f.rating, f.rated_on, f.version) == ("珠海市乙科技有限公司", "A", dt.date(2025, 6, 30), 1)
    assert f.updated_by == actors["org_user_a"]
    page = client.get(f"/credit/members/{f.pk}/").content.decode()
    assert "珠海市乙科技有限公司" in page and "按期纳税" in page and "Member credit file" in page
    event = AuditEvent.objects.filter(action="credit.member_file_create", object_id=str(f.pk)).get()
    assert event.after["member_uscc"] == data["member_uscc"]


def test_form_says_which_uscc_check_failed(actors, client_for):
    client = en(client_for("org_user_a"))
    response = client.post("/credit/members/new/", form_data(member_uscc=bad_check(code())))
    assert response.status_code == 200
    assert "Check character is" in response.content.decode()
    response = client.post("/credit/members/new/", form_data(member_uscc="91440400ABC"))
    assert "Length is 11 characters" in response.content.decode()
    assert not MemberCreditFile.objects.exists()


def test_any_valid_code_is_accepted_not_only_enterprises(actors):
    social_org = uscc.generate(org_type="1", region_code="440402", serial=77)  # starts with 5
    f = make_file(actors, member=social_org)
    assert f.member_uscc.startswith("5")


def test_new_form_refuses_a_member_who_already_has_a_file(actors, client_for):
    existing = make_file(actors)
    response = en(client_for("org_user_a")).post("/credit/members/new/", form_data(member_uscc=existing.member_uscc))
    assert response.status_code == 200 and "already keeps a file" in response.content.decode()
    existing.refresh_from_db()
    assert existing.version == 1 and existing.member_name == "珠海市甲贸易有限公司"


def test_rating_date_cannot_be_in_the_future(actors, client_for):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = en(client_for("org_user_a")).post("/credit/members/new/", form_data(rated_on=tomorrow))
    assert "cannot be in the future" in response.content.decode()
    assert not MemberCreditFile.objects.exists()


def test_edit_saves_a_new_version(actors, client_for):
    f = make_file(actors)
    client = client_for("org_user_a")
    assert client.get(f"/credit/members/{f.pk}/edit/").status_code == 200
    response = client.post(f"/credit/members/{f.pk}/edit/", form_data(rating="C", version=1,
                                                                         member_uscc="ignored"))
    assert response.status_code == 302
    f.refresh_from_db()
    assert (f.rating, f.version, f.member_name) == ("C", 2, "珠海市乙科技有限公司")
    assert f.member_uscc != "ignored"  # the code is the file's key; the form cannot change it
    assert AuditEvent.objects.filter(action="credit.member_file_update", object_id=str(f.pk)).count() == 1


def test_stale_edit_is_refused(actors, client_for):
    f = make_file(actors)
    mf.member_file_save(actor=actors["org_user_a"], association=actors["org_a"], member_uscc=f.member_uscc,
                        data={"member_name": f.member_name, "rating": "B", "rated_on": f.rated_on},
                        expected_version=1)
    response = en(client_for("org_user_a")).post(f"/credit/members/{f.pk}/edit/", form_data(rating="D", version=1))
    assert response.status_code == 200 and "changed by someone else" in response.content.decode()
    f.refresh_from_db()
    assert (f.rating, f.version) == ("B", 2)
    with pytest.raises(StaleEdit):
        mf.member_file_save(actor=actors["org_user_a"], association=actors["org_a"], member_uscc=f.member_uscc,
                            data={"member_name": "x", "rating": "D", "rated_on": f.rated_on}, expected_version=1)


def test_saving_the_same_values_changes_nothing(actors):
    f = make_file(actors, practice="依法执业")
    again = mf.member_file_save(actor=actors["org_user_a"], association=actors["org_a"], member_uscc=f.member_uscc,
                                data={"member_name": f.member_name, "rating": "A", "rated_on": f.rated_on,
                                      "practice": "依法执业"}, expected_version=1)
    assert again.version == 1
    assert not AuditEvent.objects.filter(action="credit.member_file_update").exists()


def test_delete_needs_confirmation_and_is_audited(actors, client_for):
    f = make_file(actors)
    client = en(client_for("org_user_a"))
    assert "Delete the credit file" in client.get(f"/credit/members/{f.pk}/delete/").content.decode()
    response = client.post(f"/credit/members/{f.pk}/delete/", {"version": 1})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    assert MemberCreditFile.objects.filter(pk=f.pk).exists()
    response = client.post(f"/credit/members/{f.pk}/delete/", {"version": 1, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/credit/members/"
    assert not MemberCreditFile.objects.filter(pk=f.pk).exists()
    event = AuditEvent.objects.get(action="credit.member_file_delete", object_id=str(f.pk))
    assert event.before["member_name"] == f.member_name


def test_delete_of_a_changed_file_is_refused(actors, client_for):
    f = make_file(actors)
    make_file(actors, name="改名", member=f.member_uscc)
    response = en(client_for("org_user_a")).post(f"/credit/members/{f.pk}/delete/", {"version": 1, "confirm": "on"})
    assert response.status_code == 200 and "changed by someone else" in response.content.decode()
    assert MemberCreditFile.objects.filter(pk=f.pk).exists()


def test_only_the_association_itself_may_write(actors, make_org):
    f = make_file(actors)
    for name in ("officer_zhuhai", "admin", "org_user_b"):
        with pytest.raises(NotAllowed):
            mf.member_file_save(actor=actors[name], association=actors["org_a"], member_uscc=code(),
                                data={"member_name": "x", "rating": "A", "rated_on": dt.date(2025, 1, 1)})
        with pytest.raises(NotAllowed):
            mf.member_file_delete(actor=actors[name], file=f, expected_version=1)


# --------------------------------------------------------------------------- visibility


def test_visibility_by_actor(actors, client_for):
    f = make_file(actors, name="珠海市可见贸易有限公司")
    detail, assoc = f"/credit/members/{f.pk}/", f"/credit/members/assoc/{actors['org_a'].uscc}/"
    own = client_for("org_user_a").get("/credit/members/").content.decode()
    assert "珠海市可见贸易有限公司" in own
    b = en(client_for("org_user_b"))
    page = b.get("/credit/members/").content.decode()
    assert "kept by industry associations" in page and "珠海市可见贸易有限公司" not in page
    assert b.get(detail).status_code == 404 and b.get(assoc).status_code == 404
    zhuhai = client_for("officer_zhuhai")
    overview = zhuhai.get("/credit/members/").content.decode()
    assert actors["org_a"].name in overview
    listing = zhuhai.get(assoc).content.decode()
    assert "珠海市可见贸易有限公司" in listing and f"/credit/members/{f.pk}/edit/" not in listing
    assert zhuhai.get(detail).status_code == 200
    assert zhuhai.get(f"/credit/members/{f.pk}/edit/").status_code == 404
    foshan = client_for("officer_foshan")
    assert actors["org_a"].name not in foshan.get("/credit/members/").content.decode()
    assert foshan.get(detail).status_code == 404 and foshan.get(assoc).status_code == 404
    public = client_for("public")
    assert public.get("/credit/members/").status_code == 302 and public.get(detail).status_code == 302


def test_another_association_cannot_see_the_files(actors, make_org, client_for):
    from django.test import Client

    from gongxin.accounts.models import Role, User

    f = make_file(actors)
    other = make_org("珠海市测试丁商会", region="440402", subtype="chamber_of_commerce")
    user = User.objects.create(username="org_d", role=Role.ORG_USER, organization=other)
    client = Client()
    client.force_login(user)
    assert client.get(f"/credit/members/{f.pk}/").status_code == 404
    assert client.get(f"/credit/members/{f.pk}/edit/").status_code == 404
    assert f.member_name not in client.get("/credit/members/").content.decode()


def test_officer_assoc_page_is_only_for_associations(actors, client_for):
    assert client_for("officer_zhuhai").get(f"/credit/members/assoc/{actors['org_b'].uscc}/").status_code == 404


# --------------------------------------------------------------------------- the list


def test_list_searches_filters_counts_and_sorts(actors, client_for):
    make_file(actors, name="珠海市阿尔法有限公司", rating="A", member=code(101))
    make_file(actors, name="珠海市贝塔有限公司", rating="D", member=code(102))
    make_file(actors, name="中山市伽马有限公司", rating="D", member=code(103))
    client = client_for("org_user_a")
    page = client.get("/credit/members/?q=珠海").content.decode()
    assert "阿尔法" in page and "贝塔" in page and "伽马" not in page
    page = client.get(f"/credit/members/?q={code(103).lower()}").content.decode()
    assert "伽马" in page and "阿尔法" not in page
    page = client.get("/credit/members/?rating=D").content.decode()
    assert "贝塔" in page and "伽马" in page and "阿尔法" not in page
    response = client.get("/credit/members/?sort=-name")
    names = [f.member_name for f in response.context["page"].object_list]
    assert names == sorted(names, reverse=True)
    assert response.context["counts"] == {"total": 3, "A": 1, "B": 0, "C": 0, "D": 2}
    empty = en(client).get("/credit/members/?q=不存在").content.decode()
    assert "No file matches this search" in empty


def test_empty_list_says_so(actors, client_for):
    assert "No member credit files yet" in en(client_for("org_user_a")).get("/credit/members/").content.decode()
    assert "No association in your jurisdiction" in en(client_for("officer_foshan")).get(
        "/credit/members/").content.decode()


@override_settings(PAGE_SIZE=2)
def test_list_is_paginated_with_pinned_queries(actors, client_for, django_assert_max_num_queries):
    for i in range(5):
        make_file(actors, name=f"会员{i}", member=code(200 + i))
    client = client_for("org_user_a")
    with django_assert_max_num_queries(12):
        response = client.get("/credit/members/?page=3")
    assert [f.member_name for f in response.context["page"].object_list] == ["会员4"]


def test_officer_overview_counts_by_rating(actors, client_for):
    make_file(actors, rating="A", member=code(301))
    make_file(actors, rating="D", member=code(302))
    response = client_for("officer_zhuhai").get("/credit/members/")
    (org,) = response.context["page"].object_list
    assert (org.pk, org.files_total, org.files_A, org.files_D) == (actors["org_a"].pk, 2, 1, 1)


# --------------------------------------------------------------------------- Excel


def test_export_lists_the_association_files(actors, client_for):
    make_file(actors, name="珠海市导出有限公司", rating="B", member=code(401))
    for client, url in ((client_for("org_user_a"), "/credit/members/export/"),
                        (client_for("officer_zhuhai"), f"/credit/members/assoc/{actors['org_a'].uscc}/export/")):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][:2] == ("珠海市导出有限公司", code(401)) and rows[1][6] == "B"


def test_template_has_the_columns_in_order(actors, client_for):
    with translation.override("en"):
        labels = [str(c.label) for c in COLUMNS]
    response = en(client_for("org_user_a")).get("/credit/members/import/template/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:len(COLUMNS)] == labels


def _import(client, upload):
    return client.post("/credit/members/import/", {"file": upload})


def test_import_creates_and_updates_files(actors, client_for):
    existing = make_file(actors, name="旧名称", rating="C", member=code(501))
    client = en(client_for("org_user_a"))
    response = _import(client, xlsx([row("珠海市新会员有限公司", code(502), "A", dt.date(2025, 3, 1)),
                                     row("新名称", code(501), "B")]))
    assert response.status_code == 302
    assert "1 new files, 1 updated, 0 unchanged" in client.get("/credit/members/").content.decode()
    created = MemberCreditFile.objects.get(member_uscc=code(502))
    assert (created.rating, created.rated_on, created.version) == ("A", dt.date(2025, 3, 1), 1)
    existing.refresh_from_db()
    assert (existing.member_name, existing.rating, existing.version) == ("新名称", "B", 2)
    assert AuditEvent.objects.filter(action="credit.member_file_update", object_id=str(existing.pk)).exists()
    assert AuditEvent.objects.filter(action="credit.member_file_create", object_id=str(created.pk)).exists()


def test_import_with_bad_rows_reports_every_error_and_saves_nothing(actors, client_for):
    client = en(client_for("org_user_a"))
    rows = [row("甲公司", code(601)), row("乙公司", bad_check(code(602))), row("丙公司", code(603)),
            row("丁公司", code(604), rating="E")]
    response = _import(client, xlsx(rows))
    assert response.status_code == 200
    problems = [str(p) for p in response.context["problems"]]
    assert problems == [
        f"Row 3, Unified social credit code: Check character is '{bad_check(code(602))[-1]}' "
        f"but should be '{code(602)[-1]}'",
        "Row 5, Reputation rating (A/B/C/D): Choose a rating: A, B, C or D.",
    ]
    page = response.content.decode()
    assert "Row 3, Unified social credit code" in page and "Nothing was imported" in page
    assert not MemberCreditFile.objects.exists()


def test_import_error_messages_in_chinese(actors, client_for):
    response = _import(client_for("org_user_a"), xlsx([row("甲公司", code(611)), row("乙公司", bad_check(code(612)))]))
    (problem,) = response.context["problems"]
    with translation.override("zh-hans"):
        assert problem.row == 3 and "校验码" in problem.message


def test_import_names_both_rows_of_a_duplicate(actors, client_for):
    response = _import(en(client_for("org_user_a")), xlsx([row("甲", code(701)), row("乙", code(702)),
                                                           row("甲二", code(701))]))
    (problem,) = response.context["problems"]
    assert problem.row == 4 and "rows 2 and 4" in problem.message
    assert not MemberCreditFile.objects.exists()


def test_reimporting_the_same_file_changes_nothing(actors, client_for):
    client = en(client_for("org_user_a"))
    upload = xlsx([row("甲", code(801)), row("乙", code(802), "D", "2025/7/1")])
    assert _import(client, upload).status_code == 302
    before = {f.pk: (f.version, f.updated_at) for f in MemberCreditFile.objects.all()}
    events = AuditEvent.objects.count()
    upload.seek(0)
    assert _import(client, upload).status_code == 302
    assert "0 new files, 0 updated, 2 unchanged" in client.get("/credit/members/").content.decode()
    assert {f.pk: (f.version, f.updated_at) for f in MemberCreditFile.objects.all()} == before
    assert AuditEvent.objects.count() == events


def test_export_can_be_imported_again_unchanged(actors, client_for):
    make_file(actors, name="往返", member=code(851), notes="第一行\n第二行")
    client = en(client_for("org_user_a"))
    exported = client.get("/credit/members/export/").content
    response = _import(client, SimpleUploadedFile("export.xlsx", exported))
    assert response.status_code == 302
    assert MemberCreditFile.objects.get().version == 1


def test_import_refuses_files_that_are_not_xlsx_or_too_large(actors, client_for):
    client = en(client_for("org_user_a"))
    response = _import(client, SimpleUploadedFile("members.csv", "会员名称,统一社会信用代码\n".encode()))
    assert "not an Excel .xlsx workbook" in response.content.decode()
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024))
    assert "larger than 5 MB" in _import(client, big).content.decode()
    wrong = xlsx([row("甲", code(901))], header=["名称", "代码", "执业状况"])
    response = _import(client, wrong)
    assert "does not match the template" in response.content.decode()
    assert "Row 1, Member name" in response.content.decode()
    assert "Choose the Excel file" in client.post("/credit/members/import/", {}).content.decode()
    assert not MemberCreditFile.objects.exists()


def test_import_accepts_english_headers_and_skips_blank_rows(actors, client_for):
    with translation.override("en"):
        header = [str(c.label) for c in COLUMNS]
    response = _import(client_for("org_user_a"), xlsx([row("甲", code(951)), [None] * 9, row("乙", code(952))],
                                                       header=header))
    assert response.status_code == 302
    assert MemberCreditFile.objects.count() == 2


def test_import_reports_a_code_stored_as_a_number(actors):
    with translation.override("en"):
        clean, problems = mf.import_check([(2, {"member_name": "甲", "member_uscc": 9.14404e17, "rating": "A",
                                                "rated_on": dt.date(2025, 1, 1)})])
    assert not clean and "stored as a number" in problems[0].message


def test_values_clean_reports_every_field(actors):
    with pytest.raises(ValidationError) as exc:
        mf.values_clean({"member_name": "", "rating": "X", "rated_on": "someday", "tax": "税" * 2001})
    assert set(exc.value.message_dict) == {"member_name", "rating", "rated_on", "tax"}


def test_form_reports_a_bad_code_with_the_other_errors(actors, client_for):
    response = en(client_for("org_user_a")).post("/credit/members/new/", form_data(member_uscc=bad_check(code()),
                                                                                   rating=""))
    form = response.context["form"]
    assert "Check character is" in form.errors["member_uscc"][0] and "rating" in form.errors


def test_the_empty_template_imports_nothing(actors, client_for):
    client = en(client_for("org_user_a"))
    template = client.get("/credit/members/import/template/").content
    response = _import(client, SimpleUploadedFile("template.xlsx", template))
    assert "no data rows" in response.content.decode()


def test_an_oversized_import_is_refused_before_it_is_received(actors, client_for, monkeypatch):
    from gongxin.credit import views_members

    monkeypatch.setattr(views_members, "MAX_UPLOAD_BYTES", 1000)
    client = client_for("org_user_a")
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("m.xlsx", b"PK\x03\x04" + b"x" * 100_000)
    response = client.post("/credit/members/import/", {"file": upload})
    assert response.status_code == 413 and "larger than 1000 bytes" in response.content.decode()
    assert not MemberCreditFile.objects.exists()


def test_the_export_writes_a_member_note_that_looks_like_a_formula_or_a_link_as_text(actors, client_for):
    from gongxin.core.text import normalize_identity
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    make_file(actors, name=HOSTILE_TEXTS[0], notes=HOSTILE_TEXTS[1], practice=HOSTILE_TEXTS[2], member=code(402))
    response = client_for("org_user_a").get("/credit/members/export/")
    # The member's name is a name (core.text): stored normalized, its brackets full-width.
    assert_inert(response.content, normalize_identity(HOSTILE_TEXTS[0]), *HOSTILE_TEXTS[1:])
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "filename*=UTF-8''" in response["Content-Disposition"]  # 珠海市测试甲行业协会会员信誉档案_….xlsx
