"""Registration applications: the statutory clock in working days, the officer's checks, the
decision and what it writes."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.core import uscc
from gongxin.core.models import AuditEvent, Region
from gongxin.core.workdays import add_workdays
from gongxin.registry import applications as svc
from gongxin.registry.models import (
    ApplicationStatus,
    Industry,
    JurisdictionPolicy,
    Organization,
    OrganizationChange,
    OrgStatus,
    RegistrationApplication,
)
from gongxin.registry.services import StaleEdit
from tests.confirming import confirm_post

pytestmark = pytest.mark.django_db

ESTABLISH = {"name": "珠海市智慧养老服务协会", "org_type": "social_group", "subtype": "professional",
             "industry": "Q", "legal_representative": "李明", "address": "珠海市香洲区人民东路1号",
             "business_scope": "养老服务标准制定、行业培训、交流合作", "registered_capital": "3",
             "member_count": 55, "founders": ["李明", "王芳"]}


def _apply(actors, data=None, region="440402", submit_on=dt.date(2026, 9, 28)):
    app = svc.application_save(actor=actors["founder"], kind="establishment", data=data or ESTABLISH,
                               authority=Region.objects.get(code=region))
    return svc.application_submit(actor=actors["founder"], application=app, expected_version=app.version,
                                  today=submit_on)


def test_decision_due_in_fifteen_working_days_across_national_day(actors):
    app = _apply(actors, submit_on=dt.date(2026, 9, 28))
    # 29-30 Sep, then the holiday (1-7 Oct), the 调休 Saturday 10 Oct counts: 15 working days
    # land well after a plain calendar count would.
    assert app.due_on == add_workdays(dt.date(2026, 9, 28), 15).date
    assert app.due_on > dt.date(2026, 9, 28) + dt.timedelta(days=21)
    assert app.status == ApplicationStatus.SUBMITTED and not app.due_provisional


def test_time_limit_is_a_jurisdiction_setting(actors):
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440400"), registration_time_limit=5)
    app = _apply(actors, submit_on=dt.date(2026, 11, 2))  # Monday
    assert app.due_on == dt.date(2026, 11, 9)


def test_submission_is_idempotent(actors):
    app = _apply(actors)
    again = svc.application_submit(actor=actors["founder"], application=app, expected_version=1)
    assert again.due_on == app.due_on and AuditEvent.objects.filter(action="application.submit").count() == 1


def test_too_few_members_blocks_approval_with_the_reason(actors):
    app = _apply(actors, {**ESTABLISH, "member_count": 40})
    checks = {c.name: c for c in svc.application_checks(app)}
    assert checks["members"].level == "error" and "50" in checks["members"].message
    with pytest.raises(ValidationError, match="50"):
        svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=app.version)


def test_priority_industry_needs_thirty_members(actors):
    app = _apply(actors, {**ESTABLISH, "member_count": 35, "industry": Industry.M})
    assert {c.name: c.level for c in svc.application_checks(app)}["members"] == "ok"


def test_similar_names_in_the_jurisdiction_are_a_warning_not_a_refusal(actors, make_org):
    make_org("珠海市智慧养老协会", region="440402")
    make_org("佛山市智慧养老服务协会", region="440604")  # another city: not shown
    app = _apply(actors)
    similar = next(c for c in svc.application_checks(app) if c.name == "similar_names")
    assert similar.level == "warning"
    assert [o.name for o in similar.matches] == ["珠海市智慧养老协会"]
    approved = svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=app.version)
    assert approved.status == ApplicationStatus.APPROVED


def test_approval_registers_the_organization_with_a_valid_code_and_certificate(actors, client):
    app = _apply(actors)
    approved = svc.application_approve(actor=actors["officer_zhuhai"], application=app,
                                       expected_version=app.version, today=dt.date(2026, 10, 12))
    org = approved.organization
    parts = uscc.parse(org.uscc)
    assert parts.region_code == "440402" and parts.org_type == "1"
    assert org.certificate_number.endswith("号") and org.certificate_valid_to == dt.date(2031, 10, 11)
    assert org.established_on == dt.date(2026, 10, 12) and org.status == OrgStatus.ACTIVE
    assert client.get(f"/orgs/{org.uscc}/").status_code == 200
    assert {"application.approve", "organization.register"} <= set(AuditEvent.objects.values_list("action", flat=True))
    # The certificate, for the officer, as a PDF with the organization's Chinese name in it.
    client.force_login(actors["officer_zhuhai"])
    pdf = client.get(f"/orgs/{org.uscc}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert "珠海市智慧养老服务协会" in text


def test_second_registration_in_the_region_gets_the_next_code(actors):
    first = svc.application_approve(actor=actors["officer_zhuhai"], application=_apply(actors), expected_version=2)
    second_app = _apply(actors, {**ESTABLISH, "name": "珠海市另一家协会"})
    second = svc.application_approve(actor=actors["officer_zhuhai"], application=second_app, expected_version=2)
    assert first.organization.uscc != second.organization.uscc
    assert first.organization.certificate_number != second.organization.certificate_number


def test_rejection_needs_reasons_and_shows_them(actors):
    app = _apply(actors)
    with pytest.raises(ValidationError):
        svc.application_reject(actor=actors["officer_zhuhai"], application=app, reasons="  ", expected_version=2)
    rejected = svc.application_reject(actor=actors["officer_zhuhai"], application=app, reasons="章程草案不完整",
                                      expected_version=2)
    assert rejected.status == ApplicationStatus.REJECTED and rejected.decision_reasons == "章程草案不完整"


def test_officer_of_the_neighbouring_city_cannot_decide(actors):
    app = _apply(actors)
    with pytest.raises(ValidationError):
        svc.application_approve(actor=actors["officer_foshan"], application=app, expected_version=2)


def test_two_officers_deciding_the_same_application_second_is_refused(actors):
    app = _apply(actors)
    svc.application_reject(actor=actors["officer_zhuhai"], application=app, reasons="材料不全", expected_version=2)
    with pytest.raises(StaleEdit):
        svc.application_approve(actor=actors["admin"], application=app, expected_version=2)


def test_change_application_applies_items_and_publishes_them(actors):
    org = actors["org_a"]
    app = svc.application_save(actor=actors["org_user_a"], kind="change", organization=org,
                               data={"legal_representative": "赵强", "address": ""})
    assert app.data == {"legal_representative": "赵强"}
    app = svc.application_submit(actor=actors["org_user_a"], application=app, expected_version=1)
    svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=2)
    org.refresh_from_db()
    assert org.legal_representative == "赵强"
    assert OrganizationChange.objects.filter(organization=org, item="legal_representative", after="赵强").exists()


def test_deregistration_ends_the_organization(actors):
    org = actors["org_a"]
    app = svc.application_save(actor=actors["org_user_a"], kind="deregistration", organization=org,
                               data={"reason": "会员大会决议解散"})
    app = svc.application_submit(actor=actors["org_user_a"], application=app, expected_version=1)
    svc.application_approve(actor=actors["officer_zhuhai"], application=app, expected_version=2)
    org.refresh_from_db()
    assert org.status == OrgStatus.DEREGISTERED
    assert OrganizationChange.objects.filter(organization=org, item="status").exists()


def test_another_organizations_user_cannot_apply_for_it(actors):
    with pytest.raises(ValidationError):
        svc.application_save(actor=actors["org_user_b"], kind="change", organization=actors["org_a"],
                             data={"address": "别处"})


def test_worklist_shows_overdue_first_with_working_days(actors, client, time_machine):
    late = _apply(actors, {**ESTABLISH, "name": "珠海市甲协会"}, submit_on=dt.date(2026, 9, 1))
    soon = _apply(actors, {**ESTABLISH, "name": "珠海市乙协会"}, submit_on=dt.date(2026, 11, 20))
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    client.force_login(actors["officer_zhuhai"])
    page = client.get("/applications/worklist/").content.decode()
    assert page.index("珠海市甲协会") < page.index("珠海市乙协会")
    assert late.due_on < soon.due_on
    client.force_login(actors["officer_foshan"])
    assert "珠海市甲协会" not in client.get("/applications/worklist/").content.decode()
    assert Organization.objects.count() == 3


def test_deregistration_approval_in_the_browser_needs_the_confirmation(actors, client):
    app = svc.application_save(actor=actors["org_user_a"], kind="deregistration", organization=actors["org_a"],
                               data={"reason": "会员大会决议解散"})
    app = svc.application_submit(actor=actors["org_user_a"], application=app, expected_version=1)
    client.force_login(actors["officer_zhuhai"])
    page = client.post(f"/applications/{app.pk}/approve/", {"version": 2}).content.decode()
    assert 'data-testid="confirmation"' in page
    assert Organization.objects.get(pk=actors["org_a"].pk).status == OrgStatus.ACTIVE
    confirm_post(client, f"/applications/{app.pk}/approve/", {"version": 2})
    assert Organization.objects.get(pk=actors["org_a"].pk).status == OrgStatus.DEREGISTERED


def test_approving_an_establishment_asks_first_and_says_a_code_and_certificate_are_issued(actors, client):
    app = _apply(actors)
    client.force_login(actors["officer_zhuhai"])
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.post(f"/applications/{app.pk}/approve/", {"version": 2})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="confirmation"' in html
    assert "unified social credit code" in html and "cannot be undone" in html
    assert "珠海市民政局" in html or "民政局" in html  # the bureau, not the region
    assert Organization.objects.count() == 3  # nothing registered yet
    response = confirm_post(client, f"/applications/{app.pk}/approve/", {"version": 2})
    assert response.status_code == 302 and Organization.objects.count() == 4


def test_withdrawing_an_application_asks_first(actors, client):
    app = _apply(actors)
    client.force_login(actors["founder"])
    assert 'data-testid="confirmation"' in client.post(f"/applications/{app.pk}/withdraw/").content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    confirm_post(client, f"/applications/{app.pk}/withdraw/")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN


def test_branch_is_filed_at_once_published_and_audited(actors, client):
    client.force_login(actors["org_user_a"])
    client.post("/applications/branches/", {"name": "珠海市测试甲行业协会香洲分会", "kind": "branch", "leader": "陈红"})
    assert actors["org_a"].branches.filter(name="珠海市测试甲行业协会香洲分会").exists()
    assert AuditEvent.objects.filter(action="branch.file").count() == 1
    client.post("/applications/branches/", {"name": "珠海市测试甲行业协会香洲分会", "kind": "branch"})
    assert actors["org_a"].branches.count() == 1  # the same name twice is refused
    assert "珠海市测试甲行业协会香洲分会" in client.get(f"/orgs/{actors['org_a'].uscc}/").content.decode()


def test_entering_next_years_holidays_recounts_provisional_deadlines(actors):
    from gongxin.core.services import workday_year_set

    app = _apply(actors, submit_on=dt.date(2031, 12, 22))  # 2031 is not in the package: weekends only
    assert app.due_provisional and app.due_on == dt.date(2032, 1, 12)
    holidays = ["2032-01-01", "2032-01-02"]  # Thursday and Friday off
    workday_year_set(actor=actors["admin"], year=2032, holidays=holidays, workdays=[])
    workday_year_set(actor=actors["admin"], year=2031, holidays=[], workdays=[])
    app.refresh_from_db()
    assert (app.due_on, app.due_provisional) == (dt.date(2032, 1, 14), False)


def test_jurisdiction_policy_admin_saves_and_audits(actors, client):
    client.force_login(actors["admin"])
    assert client.get("/admin/registry/jurisdictionpolicy/add/").status_code == 200
    response = client.post("/admin/registry/jurisdictionpolicy/add/", {
        "region": "440400", "registration_time_limit": "10", "annual_mode": "filing",
        "annual_sponsor_deadline": "", "annual_authority_deadline": "04-30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert JurisdictionPolicy.objects.get(region_id="440400").registration_time_limit == 10
    assert AuditEvent.objects.filter(action="admin.jurisdictionpolicy.save").exists()
    assert client.get("/admin/core/region/?q=珠海").status_code == 200


def test_the_change_form_shows_the_registered_values_beside_the_new_ones(actors, client):
    client.force_login(actors["org_user_a"])
    html = client.get("/applications/new/change/").content.decode()
    org = actors["org_a"]
    assert 'data-testid="current-legal_representative"' in html and org.legal_representative in html
    assert 'data-testid="current-address"' in html and org.address in html


def test_the_authority_picker_lists_bureaus_and_the_sponsor_select_is_searchable(actors, client):
    client.force_login(actors["founder"])
    html = client.get("/applications/new/establishment/").content.decode()
    assert ">\u3000珠海市民政局</option>" in html and ">广东省民政厅</option>" in html
    assert ">广东省珠海市<" not in html
    select = html.split('name="sponsor_unit"', 1)[0].rsplit("<select", 1)[1] + html.split('name="sponsor_unit"', 1)[1]
    assert "data-gx-search" in select and 'data-gx-filter-by="registration_authority"' in select
    assert 'data-region="440400"' in html  # 珠海市科学技术协会's jurisdiction, for the filter


def test_documents_are_attached_checked_by_content_and_shown_only_to_the_applicant_and_the_officer(
        actors, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongxin.registry.models import ApplicationDocument

    client.force_login(actors["founder"])
    data = {**ESTABLISH, "registration_authority": "440402", "founders": "李明"}
    fake = SimpleUploadedFile("章程.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post("/applications/new/establishment/", {**data, "save": "1", "charter": fake})
    assert response.status_code == 400 and 'data-testid="error-charter"' in response.content.decode()
    assert not RegistrationApplication.objects.exists()  # nothing saved with a refused document
    pdf = SimpleUploadedFile("章程.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    png = SimpleUploadedFile("租赁合同.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")
    response = client.post("/applications/new/establishment/", {**data, "submit": "1", "charter": pdf,
                                                                 "domicile": png})
    assert response.status_code == 302
    app = RegistrationApplication.objects.get()
    docs = {d.kind: d for d in ApplicationDocument.objects.filter(application=app)}
    assert set(docs) == {"charter", "domicile"} and docs["domicile"].content_type == "image/png"
    assert not docs["charter"].file.path.startswith(str(settings.STATIC_ROOT))
    url = f"/applications/documents/{docs['charter'].pk}/"
    assert url in client.get(f"/applications/{app.pk}/").content.decode()
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4\n%%EOF\n"
    client.force_login(actors["officer_zhuhai"])
    assert url in client.get(f"/applications/{app.pk}/").content.decode()
    assert client.get(url).status_code == 200
    for other in ("officer_foshan", "org_user_a", "sponsor"):
        client.force_login(actors[other])
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="application.document").count() == 2


def test_an_oversized_upload_is_refused_before_the_body_is_read(actors, client):
    client.force_login(actors["founder"])
    response = client.generic("POST", "/applications/new/establishment/", b"x",
                              CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=str(40 * 1024 * 1024))
    assert response.status_code == 302
    assert not RegistrationApplication.objects.exists()


def test_a_region_s_policy_may_name_its_registration_authority(actors):
    from gongxin.registry.models import authority_name
    from gongxin.registry.policy import policy_cache_clear

    zhuhai, xiangzhou = Region.objects.get(code="440400"), Region.objects.get(code="440402")
    assert (authority_name(zhuhai), authority_name(xiangzhou)) == ("珠海市民政局", "香洲区民政局")
    JurisdictionPolicy.objects.create(region=xiangzhou, authority_name="珠海市香洲区行政审批局")
    policy_cache_clear()
    assert authority_name(xiangzhou) == "珠海市香洲区行政审批局"
    assert authority_name(zhuhai) == "珠海市民政局"  # not inherited upwards, nor by the neighbours
def test_worklist_keeps_decided_applications_under_handled_and_searches_both(actors, client):
    waiting = _apply(actors, {**ESTABLISH, "name": "珠海市等待协会"})
    refused = _apply(actors, {**ESTABLISH, "name": "珠海市驳回协会"})
    svc.application_reject(actor=actors["officer_zhuhai"], application=refused, reasons="会员不足",
                           expected_version=refused.version)
    client.force_login(actors["officer_zhuhai"])
    client.cookies["django_language"] = "en"
    pending = client.get("/applications/worklist/").content.decode()
    assert "珠海市等待协会" in pending and "珠海市驳回协会" not in pending
    handled = client.get("/applications/worklist/?view=decided").content.decode()
    assert "珠海市驳回协会" in handled and "珠海市等待协会" not in handled and "Rejected" in handled
    assert 'data-testid="view-decided"' in handled
    found = client.get("/applications/worklist/?view=pending&q=等待").content.decode()
    assert "珠海市等待协会" in found
    assert "No application matches this search." in client.get("/applications/worklist/?q=没有").content.decode()
    assert waiting.status == "submitted"
