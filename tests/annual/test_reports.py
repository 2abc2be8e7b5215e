"""Annual work reports: the obligation rules, the organization's draft and submission, the
sponsor pre-review, the authority's review and the filing mode."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gongxin.annual import rules, services
from gongxin.annual.models import AnnualReport, Conclusion, FactKind, ReportStatus, SupervisionFact
from gongxin.core.models import AuditEvent, Region
from gongxin.registry.models import AnnualMode, JurisdictionPolicy
from gongxin.registry.policy import policy_for
from gongxin.registry.services import StaleEdit
from tests.confirming import confirm_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("established", "exempt"), [
    (dt.date(2025, 6, 29), False),  # more than six months before 31 December
    (dt.date(2025, 6, 30), True),  # exactly six months before: "six months or less"
    (dt.date(2025, 7, 1), True),  # the organization registered on 1 July
    (dt.date(2024, 12, 31), False),
])
def test_six_month_exemption_at_its_boundary(established, exempt):
    assert rules.exempt_for_year(established, 2025) is exempt
    ob = rules.obligation(established_on=established, region_code="440402", has_sponsor=False, year=2025)
    assert ob.owed is (not exempt)


def test_deadlines_follow_the_jurisdiction_policy_and_inherit():
    assert policy_for("440402").authority_deadline(2025) == dt.date(2026, 5, 31)
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440100"), annual_authority_deadline="03-31")
    assert policy_for("440106").authority_deadline(2025) == dt.date(2026, 3, 31)  # Guangzhou's district inherits
    assert policy_for("440402").authority_deadline(2025) == dt.date(2026, 5, 31)  # Zhuhai keeps the default
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440000"), annual_mode=AnnualMode.FILING)
    assert policy_for("440402").filing_mode and policy_for("440402").sources["annual_mode"] == "440000"


def _draft(actors, content, year=2025, org="org_a", user="org_user_a"):
    return services.report_save_draft(actor=actors[user], organization=actors[org], year=year, data=content)


def test_draft_saves_incomplete_and_submission_names_missing_fields(actors, on_time):
    report = _draft(actors, {"income": 1000})
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert {"total_assets", "activities", "party_org_established", "self_governance_check"} <= set(exc.value.message_dict)


def test_net_assets_must_balance(actors, complete_content, on_time):
    report = _draft(actors, {**complete_content, "net_assets": 1})
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert "net_assets" in exc.value.message_dict


def test_submission_is_idempotent_and_locks_the_report(actors, complete_content, on_time):
    report = _draft(actors, complete_content)
    first = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    again = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert first.status == again.status == ReportStatus.AUTHORITY_REVIEW
    assert again.version == first.version and not first.late
    assert AuditEvent.objects.filter(action="annual.submit").count() == 1
    with translation.override("en"), pytest.raises(ValidationError, match="locked"):
        _draft(actors, complete_content)


def test_only_the_organization_itself_edits_its_report(actors, complete_content, on_time):
    with pytest.raises(ValidationError):
        services.report_save_draft(actor=actors["org_user_b"], organization=actors["org_a"], year=2025,
                                   data=complete_content)


def test_exempt_year_cannot_be_reported(actors, make_org, complete_content, on_time):
    from gongxin.accounts.models import Role, User

    young = make_org("珠海市新成立协会", established_on=dt.date(2025, 7, 1))
    user = User.objects.create(username="young", role=Role.ORG_USER, organization=young)
    with translation.override("en"), pytest.raises(ValidationError, match="Exempt"):
        services.report_save_draft(actor=user, organization=young, year=2025, data=complete_content)


@pytest.mark.parametrize(("conclusion", "reasons"), [
    (Conclusion.PASS, []),
    (Conclusion.BASIC_PASS, ["meetings", "finances"]),
    (Conclusion.FAIL, ["for_profit"]),
])
def test_each_conclusion_is_published_on_the_profile(actors, complete_content, on_time, client, conclusion, reasons):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    reviewed = services.report_review(actor=actors["officer_zhuhai"], report=report, conclusion=conclusion,
                                      reasons=reasons, note="", expected_version=report.version)
    assert reviewed.status == ReportStatus.REVIEWED and reviewed.published_on == dt.date(2026, 3, 10)
    client.cookies["django_language"] = "en"
    page = client.get(f"/orgs/{actors['org_a'].uscc}/").content.decode()
    assert 'data-testid="annual-results"' in page and f"<td>{Conclusion(conclusion).label}" in page
    api = client.get(f"/api/v1/orgs/{actors['org_a'].uscc}").json()
    annual = next(s for s in api["sections"] if s["key"] == "annual")
    assert annual["records"][0]["conclusion"] == conclusion
    failed = SupervisionFact.objects.filter(kind=FactKind.REPORT_FAILED, organization=actors["org_a"]).exists()
    assert failed is (conclusion == Conclusion.FAIL)


@pytest.mark.parametrize(("conclusion", "reasons"), [
    (Conclusion.BASIC_PASS, []),  # needs a reason
    (Conclusion.FAIL, ["meetings"]),  # needs a fail reason
    (Conclusion.PASS, ["meetings"]),  # takes none
])
def test_conclusion_reasons_must_fit(actors, complete_content, on_time, conclusion, reasons):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    with pytest.raises(ValidationError):
        services.report_review(actor=actors["officer_zhuhai"], report=report, conclusion=conclusion,
                               reasons=reasons, note="", expected_version=report.version)


def test_second_officer_review_is_refused_not_overwritten(actors, complete_content, on_time):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    opened = report.version  # both officers opened the report at this version
    services.report_review(actor=actors["officer_zhuhai"], report=report, conclusion=Conclusion.PASS, reasons=[],
                           note="", expected_version=opened)
    with pytest.raises(StaleEdit):
        services.report_review(actor=actors["admin"], report=report, conclusion=Conclusion.FAIL,
                               reasons=["for_profit"], note="", expected_version=opened)
    assert AnnualReport.objects.get(pk=report.pk).conclusion == Conclusion.PASS


def test_officer_of_another_city_cannot_review(actors, complete_content, on_time):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    with pytest.raises(ValidationError):
        services.report_review(actor=actors["officer_foshan"], report=report, conclusion=Conclusion.PASS,
                               reasons=[], note="", expected_version=report.version)


def test_sponsor_pre_review_then_authority(actors, complete_content, on_time):
    content = {k: v for k, v in complete_content.items() if k != "self_governance_check"}
    report = _draft(actors, content, org="org_b", user="org_user_b")
    report = services.report_submit(actor=actors["org_user_b"], report=report, expected_version=report.version)
    assert report.status == ReportStatus.SPONSOR_REVIEW
    with pytest.raises(ValidationError):  # the authority waits for the sponsor
        services.report_review(actor=actors["officer_zhuhai"], report=report, conclusion=Conclusion.PASS,
                               reasons=[], note="", expected_version=report.version)
    with pytest.raises(ValidationError):  # a return needs an opinion
        services.report_sponsor_review(actor=actors["sponsor"], report=report, approve=False, opinion=" ",
                                       expected_version=report.version)
    returned = services.report_sponsor_review(actor=actors["sponsor"], report=report, approve=False,
                                              opinion="补充财务报告", expected_version=report.version)
    assert returned.status == ReportStatus.RETURNED
    again = services.report_save_draft(actor=actors["org_user_b"], organization=actors["org_b"], year=2025,
                                       data={"activities": "补充后的活动情况"}, expected_version=returned.version)
    again = services.report_submit(actor=actors["org_user_b"], report=again, expected_version=again.version)
    passed = services.report_sponsor_review(actor=actors["sponsor"], report=again, approve=True, opinion="",
                                            expected_version=again.version)
    assert passed.status == ReportStatus.AUTHORITY_REVIEW and passed.sponsor_reviewed_by == actors["sponsor"]


def test_filing_mode_files_without_conclusion(actors, complete_content, on_time):
    JurisdictionPolicy.objects.create(region=Region.objects.get(code="440000"), annual_mode=AnnualMode.FILING)
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert report.status == ReportStatus.FILED and report.conclusion == "" and report.published_on


def test_late_submission_is_recorded_as_a_fact_and_resolves_missing(actors, complete_content, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    created = services.facts_record_missing(today=dt.date(2026, 6, 2))
    assert created >= 3 and services.facts_record_missing(today=dt.date(2026, 6, 2)) == 0  # idempotent
    missing = SupervisionFact.objects.get(organization=actors["org_a"], kind=FactKind.REPORT_MISSING, key="2025")
    assert missing.occurred_on == dt.date(2026, 6, 1)
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert report.late
    assert SupervisionFact.objects.filter(organization=actors["org_a"], kind=FactKind.REPORT_LATE, key="2025").exists()
    missing.refresh_from_db()
    assert missing.resolved_on == dt.date(2026, 6, 2)


def test_on_the_deadline_is_not_late(actors, complete_content, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    assert not report.late
    assert services.facts_record_missing(today=dt.date(2026, 5, 31)) == 0 or not SupervisionFact.objects.filter(
        key="2025", kind=FactKind.REPORT_MISSING).exists()


def test_attachment_must_be_a_pdf(actors, complete_content, on_time):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with translation.override("en"), pytest.raises(ValidationError, match="PDF"):
        services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                   data=complete_content, financial_report=fake)
    real = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    report = services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                        data=complete_content, financial_report=real)
    assert report.financial_report.name.endswith(".pdf")


def test_stale_draft_edit_is_refused(actors, complete_content, on_time):
    report = _draft(actors, complete_content)
    services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                               data={"income": 1}, expected_version=report.version)
    with pytest.raises(StaleEdit):
        services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                   data={"income": 2}, expected_version=report.version)


def test_a_refused_submission_saves_nothing_so_the_corrected_one_goes_through(actors, complete_content, on_time,
                                                                               client):
    report = _draft(actors, complete_content)
    client.force_login(actors["org_user_a"])
    form = {k: v for k, v in complete_content.items() if k != "self_governance_check"}
    form.update({"net_assets": "1", "party_org_established": "true", "version": report.version, "submit": "1",
                 "self_governance_check": ["self_run"]})
    client.post("/annual/2025/edit/", form)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.version == 1  # nothing saved
    form["net_assets"] = "400000"
    response = client.post("/annual/2025/edit/", form)
    assert response.status_code == 302 and response.url == f"/annual/reports/{report.pk}/submit/"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT  # saved, not submitted: the confirmation comes first
    page = client.get(response.url).content.decode()
    assert 'data-testid="confirmation"' in page and 'data-testid="confirmation-irreversible"' in page
    confirm_post(client, response.url)
    report.refresh_from_db()
    assert report.status == ReportStatus.AUTHORITY_REVIEW


def test_resubmission_clears_the_previous_rounds_notes(actors, complete_content, on_time):
    content = {k: v for k, v in complete_content.items() if k != "self_governance_check"}
    report = _draft(actors, content, org="org_b", user="org_user_b")
    report = services.report_submit(actor=actors["org_user_b"], report=report, expected_version=report.version)
    report = services.report_sponsor_review(actor=actors["sponsor"], report=report, approve=True, opinion="同意",
                                            expected_version=report.version)
    report = services.report_return(actor=actors["officer_zhuhai"], report=report, note="补充审计报告",
                                    expected_version=report.version)
    report = services.report_submit(actor=actors["org_user_b"], report=report, expected_version=report.version)
    returned = services.report_sponsor_review(actor=actors["sponsor"], report=report, approve=False,
                                              opinion="会员数不符", expected_version=report.version)
    assert (returned.review_note, returned.sponsor_opinion) == ("", "会员数不符")


def test_a_review_in_error_keeps_the_choice_and_the_note_and_says_why_under_the_reasons(actors, complete_content,
                                                                                       on_time, client):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    client.force_login(actors["officer_zhuhai"])
    client.cookies["django_language"] = "en"
    response = client.post(f"/annual/reports/{report.pk}/review/", {
        "action": "review", "conclusion": "basic_pass", "note": "换届逾期半年", "version": report.version})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="basic_pass" class="form-check-input is-invalid"' not in html  # the conclusion is fine
    assert 'name="conclusion" value="basic_pass"' in html and "checked" in html.split('value="basic_pass"')[1][:80]
    assert "换届逾期半年" in html
    assert 'data-testid="basic-pass-reasons" open' in html
    assert 'id="id_basic_pass_reasons_error" data-testid="error-basic_pass_reasons"' in html
    assert "at least one reason" in html
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.AUTHORITY_REVIEW


def test_concluding_a_review_asks_first_then_publishes(actors, complete_content, on_time, client):
    report = _draft(actors, complete_content)
    report = services.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    client.force_login(actors["officer_zhuhai"])
    data = {"action": "review", "conclusion": "fail", "fail_reasons": ["for_profit"], "note": "经营性活动",
            "version": report.version}
    page = client.post(f"/annual/reports/{report.pk}/review/", data).content.decode()
    assert 'data-testid="confirmation"' in page and "经营性活动" in page
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.AUTHORITY_REVIEW
    confirm_post(client, f"/annual/reports/{report.pk}/review/", data)
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and report.conclusion == Conclusion.FAIL


def test_a_new_report_is_prefilled_from_the_last_one_and_shows_last_year_s_figures(actors, complete_content,
                                                                                  on_time, client):
    last = services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2024,
                                      data={**complete_content, "member_count": 132, "staff_count": 7})
    services.report_submit(actor=actors["org_user_a"], report=last, expected_version=last.version)
    client.force_login(actors["org_user_a"])
    client.cookies["django_language"] = "en"
    html = client.get("/annual/2025/edit/").content.decode()
    assert 'data-testid="prefilled"' in html
    assert 'name="member_count" value="132"' in html and 'name="staff_count" value="7"' in html
    assert 'data-testid="last-total_assets"' in html and 'name="total_assets" value=' not in html  # not copied


def test_a_first_report_takes_the_members_from_the_registry(actors, on_time, client):
    from gongxin.registry.models import Organization

    Organization.objects.filter(pk=actors["org_a"].pk).update(member_count=85)
    client.force_login(actors["org_user_a"])
    html = client.get("/annual/2025/edit/").content.decode()
    assert 'name="member_count" value="85"' in html and 'name="branch_count" value="0"' in html
def test_an_oversized_attachment_is_refused_before_the_body_is_read(actors, client_for, on_time):
    client = client_for("org_user_a")
    client.cookies["django_language"] = "en"
    response = client.generic("POST", "/annual/2025/edit/", b"--x--", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(services.MAX_ATTACHMENT_BYTES + 10**6))
    assert response.status_code == 413 and "The file is larger than 20 MB." in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_a_new_attachment_deletes_the_one_it_replaces_once_saved(actors, complete_content, on_time, settings,
                                                                  tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path

    def save(content: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            return services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                              data=complete_content,
                                              financial_report=SimpleUploadedFile("report.pdf", content))

    first = save(b"%PDF-1.4\nfirst\n%%EOF\n")
    old = tmp_path / first.financial_report.name
    assert old.exists()
    second = save(b"%PDF-1.4\nsecond\n%%EOF\n")
    assert (tmp_path / second.financial_report.name).read_bytes().startswith(b"%PDF-1.4\nsecond")
    assert not old.exists()
    # A save that fails after the upload keeps the attachment it did not replace.
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2025,
                                   data=complete_content, expected_version=second.version - 1,
                                   financial_report=SimpleUploadedFile("report.pdf", b"%PDF-1.4\nthird\n%%EOF\n"))
    assert (tmp_path / second.financial_report.name).exists()
