"""Names compared as a reader sees them (issue 13, item 3): invisible characters and width
variants do not make a copy of a name a new name, and bidi controls are refused on the way in.
Every name and person field normalizes (core.text) wherever it is typed or imported."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from gongxin.core.models import Region
from gongxin.credit.models import PersonBadRecord, PersonRole
from gongxin.registry import applications as svc
from gongxin.registry.models import Organization, RegistrationApplication, ResponsiblePerson
from gongxin.registry.selectors import SearchFilters, organization_search

pytestmark = pytest.mark.django_db

ZWSP, RLO = "\u200b", "\u202e"
APPLY = {"name": "珠海市新设测试协会", "org_type": "social_group", "legal_representative": "李明",
         "address": "珠海市香洲区人民东路1号", "business_scope": "交流合作", "registered_capital": "3",
         "member_count": 60, "founders": ["李明"]}


def _apply(actors, **items):
    app = svc.application_save(actor=actors["founder"], kind="establishment", data={**APPLY, **items},
                               authority=Region.objects.get(code="440402"))
    return svc.application_submit(actor=actors["founder"], application=app, expected_version=app.version)


def _checks(app) -> dict:
    return {c.name: c for c in svc.application_checks(app)}


def _raw_update(model, pk, **values):
    """Write values as a pre-normalization version of the code stored them (the model fields
    now normalize every write, update() included)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(k)} = %s" for k in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


# --------------------------------------------------------------------------- the exact-name check


def test_a_zero_width_copy_of_a_registered_name_is_refused_as_an_exact_duplicate(actors):
    registered = actors["org_a"].name  # 珠海市测试甲行业协会
    app = _apply(actors, name=registered[:5] + ZWSP + registered[5:])
    assert app.data["name"] == registered  # stored as a reader sees it
    checks = _checks(app)
    assert checks["name_taken"].level == "error" and checks["name_taken"].matches == [actors["org_a"]]
    with pytest.raises(ValidationError):
        svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=app.version)
    assert Organization.objects.filter(name=registered).count() == 1


def test_an_application_stored_with_a_zero_width_name_before_the_fix_still_meets_the_name(actors):
    app = _apply(actors)
    registered = actors["org_a"].name
    type(app).objects.filter(pk=app.pk).update(data={**app.data, "name": ZWSP + registered})
    app.refresh_from_db()
    assert _checks(app)["name_taken"].level == "error"


def test_full_width_and_half_width_names_are_the_same_name(actors, make_org):
    make_org("珠海市IT服务协会")
    app = _apply(actors, name="珠海市ＩＴ服务协会")
    assert app.data["name"] == "珠海市IT服务协会" and _checks(app)["name_taken"].level == "error"


def test_brackets_of_either_width_are_the_same_name(actors, make_org):
    make_org("中国（珠海）测试协会")
    assert _checks(_apply(actors, name="中国(珠海)测试协会"))["name_taken"].level == "error"


def test_similar_names_are_found_through_an_invisible_character(actors):
    # 测<ZWSP>试甲 is 测试甲, the distinctive part of 珠海市测试甲行业协会.
    app = _apply(actors, name=f"珠海市测{ZWSP}试甲学会")
    similar = _checks(app)["similar_names"]
    assert similar.level == "warning" and actors["org_a"] in similar.matches


# --------------------------------------------------------------------------- bad records of persons


def _bad_record(actors, name="黄晓龙"):
    return PersonBadRecord.objects.create(name=name, role=PersonRole.LEGAL_REPRESENTATIVE, position="法定代表人",
                                          organization=actors["org_b"], source="penalty:1", reason="所在社会组织受到行政处罚",
                                          recorded_on=dt.date(2026, 3, 1))


def test_a_legal_representative_typed_with_a_zero_width_space_matches_the_bad_records(actors):
    _bad_record(actors)
    check = _checks(_apply(actors, legal_representative=f"黄{ZWSP}晓龙"))["bad_record"]
    assert check.level == "warning" and "黄晓龙" in check.message and check.matches == [actors["org_b"]]


def test_a_founder_typed_in_full_width_spaces_matches_the_bad_records(actors):
    _bad_record(actors, name="Li Ming")
    check = _checks(_apply(actors, founders=["Li\u3000 Ming", "王芳"]))["bad_record"]
    assert check.level == "warning"


def test_penalties_record_the_persons_normalized(actors):
    from gongxin.credit.services import penalty_decide

    org = actors["org_a"]
    _raw_update(Organization, org.pk, legal_representative=f"黄{ZWSP}晓龙")  # stored before the fix
    ResponsiblePerson.objects.create(organization=org, name="陈\ufeff红", position="秘书长")
    org.refresh_from_db()
    penalty_decide(actor=actors["officer_zhuhai"], organization=org, kind="warning", decision_number="珠民罚〔2026〕9号",
                   facts="未按规定开展活动", legal_basis="《社会团体登记管理条例》", decided_on=dt.date(2026, 3, 1),
                   today=dt.date(2026, 3, 2), evaluate=False)
    assert set(PersonBadRecord.objects.filter(organization=org).values_list("name", flat=True)) == {"黄晓龙", "陈红"}


# --------------------------------------------------------------------------- refused on the way in


def test_a_right_to_left_override_in_a_proposed_name_is_refused_with_a_message(actors, client):
    client.force_login(actors["founder"])
    client.cookies["django_language"] = "en"
    data = {**APPLY, "name": f"珠海市{RLO}会协试测", "registration_authority": "440402", "founders": "李明"}
    response = client.post("/applications/new/establishment/", data)
    assert response.status_code == 400  # the form again, the field in error
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.content.decode()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.application_save(actor=actors["founder"], kind="establishment", data={**APPLY, "name": f"珠海{RLO}协会"},
                             authority=Region.objects.get(code="440402"))
    assert "display in a different order" in exc.value.message_dict["name"][0]
    assert not RegistrationApplication.objects.exists()  # nothing saved


def test_bidi_controls_are_refused_in_persons_and_change_applications(actors):
    with pytest.raises(ValidationError) as exc:
        svc.application_save(actor=actors["founder"], kind="establishment",
                             data={**APPLY, "legal_representative": f"黄{RLO}晓龙", "founders": ["王\u2067芳"]},
                             authority=Region.objects.get(code="440402"))
    assert set(exc.value.message_dict) == {"legal_representative", "founders"}
    with pytest.raises(ValidationError) as exc:
        svc.application_save(actor=actors["org_user_a"], kind="change", organization=actors["org_a"],
                             data={"name": f"珠海市{RLO}新名称协会"})
    assert "name" in exc.value.message_dict


def test_a_change_of_name_is_stored_normalized_and_published(actors):
    app = svc.application_save(actor=actors["org_user_a"], kind="change", organization=actors["org_a"],
                               data={"name": f"珠海市测试甲{ZWSP}新名协会", "legal_representative": "Ｌｉ Ｍｉｎｇ"})
    app = svc.application_submit(actor=actors["org_user_a"], application=app, expected_version=app.version)
    svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=app.version)
    org = Organization.objects.get(pk=actors["org_a"].pk)
    assert (org.name, org.legal_representative) == ("珠海市测试甲新名协会", "Li Ming")
    assert org.former_names == ["珠海市测试甲行业协会"]


def test_an_organization_registered_with_a_bidi_control_is_refused(make_org):
    with pytest.raises(ValidationError) as exc:
        make_org(f"珠海市{RLO}会协试测")
    assert "name" in exc.value.message_dict


def test_banned_organizations_and_deciding_bodies_refuse_bidi_controls_and_store_normalized(actors):
    from gongxin.credit.services import banned_record, record_create

    region = Region.objects.get(code="440400")
    with pytest.raises(ValidationError) as exc:
        banned_record(actor=actors["officer_zhuhai"], region=region, name=f"珠海{RLO}会协法非", decision_number="取1",
                      banned_on=dt.date(2026, 3, 1), facts="未经登记开展活动", legal_basis="《取缔非法民间组织暂行办法》")
    assert "name" in exc.value.message_dict
    banned = banned_record(actor=actors["officer_zhuhai"], region=region, name=f"珠海{ZWSP}非法协会",
                           decision_number="取2", banned_on=dt.date(2026, 3, 1), facts="未经登记开展活动",
                           legal_basis="《取缔非法民间组织暂行办法》")
    assert banned.name == "珠海非法协会"
    record = record_create(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind="commendation",
                           title="市级先进", source="市政府文件", deciding_body="珠海市\ufeff人民政府",
                           occurred_on=dt.date(2026, 3, 1), today=dt.date(2026, 3, 2), evaluate=False)
    assert record.deciding_body == "珠海市人民政府"


def test_a_commitment_signatory_is_stored_normalized(actors):
    from gongxin.credit.commitments import commitment_sign
    from gongxin.credit.models import CommitmentText

    text = CommitmentText.objects.create(region_id="440000", title="诚信自律承诺书", body="……",
                                         effective_from=dt.date(2026, 1, 1))
    signed = commitment_sign(actor=actors["org_user_a"], organization=actors["org_a"], text=text,
                             signatory=f"张{ZWSP}伟", signatory_position="会长")
    assert signed.signatory == "张伟"
    with pytest.raises(ValidationError):
        commitment_sign(actor=actors["org_user_b"], organization=actors["org_b"], text=text,
                        signatory=f"张{RLO}伟", signatory_position="会长")


# --------------------------------------------------------------------------- search


def test_search_finds_a_name_typed_with_an_invisible_character(actors, make_org):
    org = make_org(f"珠海市测试{ZWSP}丁协会", legal_representative="周\u2060敏")
    assert org.name == "珠海市测试丁协会"
    for q in ("测试丁", "周敏", "珠海市测试丁协会"):
        assert org in list(organization_search(actor=None, q=q, filters=SearchFilters())), q


# --------------------------------------------------------------------------- imports


def test_the_credit_record_import_refuses_a_bidi_control_in_the_deciding_body_by_row_and_column(actors):
    from gongxin.credit import imports

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "信用信息"
    sheet.append(["统一社会信用代码", "类别", "标题", "内容", "信息来源", "认定机关", "日期", "有效期至", "是否公开"])
    sheet.append([actors["org_a"].uscc, "表彰", "市级先进", "", "市政府文件", f"珠海市{RLO}府政民人", "2026-03-01", "", "是"])
    sheet.append([actors["org_a"].uscc, "表彰", "区级先进", "", "区政府文件", f"珠海市{ZWSP}香洲区人民政府", "2026-03-01",
                  "", "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("en"):
        rows, problems = imports.check(actor=actors["officer_zhuhai"], upload=SimpleUploadedFile(
            "records.xlsx", buffer.getvalue()), today=dt.date(2026, 3, 2))
    assert [(p.row, p.column) for p in problems] == [(2, "F 认定机关")]
    assert "U+202E" in problems[0].message


def test_the_member_file_import_refuses_a_bidi_control_and_stores_names_normalized(actors):
    from gongxin.core import uscc
    from gongxin.credit import member_files as mf
    from gongxin.credit.member_files_xlsx import COLUMNS
    from gongxin.credit.models import MemberCreditFile

    codes = [uscc.generate(department="9", org_type="1", region_code="440402", serial=s) for s in (77, 78)]

    def upload(name):
        book = openpyxl.Workbook()
        book.active.append([c.zh for c in COLUMNS])
        book.active.append([name, codes[0], "", "", "", "", "A", "2025-12-31", ""])
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile("members.xlsx", buffer.getvalue())

    with translation.override("en"), pytest.raises(mf.ImportRefused) as exc:
        mf.member_files_import(actor=actors["org_user_a"], association=actors["org_a"],
                               upload=upload(f"珠海市{RLO}司公限有"))
    assert any("U+202E" in p.message and p.row == 2 for p in exc.value.problems)
    mf.member_files_import(actor=actors["org_user_a"], association=actors["org_a"], upload=upload("珠海市\ufeff甲有限公司"))
    assert MemberCreditFile.objects.get(member_uscc=codes[0]).member_name == "珠海市甲有限公司"


def test_the_catalogue_import_stores_department_names_normalized_and_refuses_bidi_controls(actors):
    import xlsxwriter

    from gongxin.procurement import catalogue_imports as imports
    from gongxin.procurement import catalogues as cat
    from gongxin.procurement.models import CatalogueKind

    catalogue = cat.catalogue_create(actor=actors["officer_zhuhai"], kind=CatalogueKind.FUNCTIONS,
                                     region=Region.objects.get(code="440400"), year=2026, title="珠海市目录")

    def upload(department):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["编号", "职能事项", "部门", "转移方式"])
        sheet.write_row(1, 0, ["1", "行业统计调查", department, "委托"])
        book.close()
        return SimpleUploadedFile("catalogue.xlsx", buffer.getvalue())

    with translation.override("en"):
        refused = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=catalogue,
                                           upload=upload(f"珠海市{RLO}局计统"))
    assert [(p.row, p.column) for p in refused.problems] == [(2, "C 部门")] and "U+202E" in refused.problems[0].message
    done = imports.catalogue_import(actor=actors["officer_zhuhai"], catalogue=catalogue, upload=upload(f"珠海市{ZWSP}统计局"))
    assert done.ok and catalogue.functions.get().department_name == "珠海市统计局"


def test_a_penalty_form_refuses_a_bidi_control_in_the_deciding_body(actors, client):
    client.force_login(actors["officer_zhuhai"])
    client.cookies["django_language"] = "en"
    response = client.post(f"/credit/manage/orgs/{actors['org_a'].uscc}/penalties/new/", {
        "kind": "warning", "decision_number": "珠民罚〔2026〕10号", "facts": "事实", "legal_basis": "依据",
        "decided_on": "2026-03-01", "deciding_body": f"珠海市{RLO}局政民", "is_public": "on"})
    assert response.status_code == 200 and "U+202E" in response.content.decode()
    assert not actors["org_a"].penalties.exists()
