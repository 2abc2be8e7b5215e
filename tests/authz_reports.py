"""Authorization expectations for the annual work report pages (merged by test_authorization)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz import every, only

REVIEWERS = {"officer_zhuhai": 302, "officer_foshan": 302, "sponsor": 302, "admin": 302}


def setup(actors) -> dict:
    from gongxin.annual import services

    content = {"total_assets": 10, "total_liabilities": 0, "net_assets": 10, "income": 1, "expenses": 1,
               "staff_count": 1, "activity_count": 1, "activities": "活动", "compliance": "守法",
               "party_org_established": False, "self_governance_check": ["self_run"]}
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    a = services.report_save_draft(actor=actors["org_user_a"], organization=actors["org_a"], year=2024,
                                   data=content, financial_report=pdf)
    a = services.report_submit(actor=actors["org_user_a"], report=a, expected_version=a.version)
    b = services.report_save_draft(actor=actors["org_user_b"], organization=actors["org_b"], year=2024, data=content)
    b = services.report_submit(actor=actors["org_user_b"], report=b, expected_version=b.version)
    assert a.version == b.version == 2  # the POST data below names this version
    return {"report_a": a.pk, "report_b": b.pk}


# Who can see report A (Zhuhai, no sponsor, awaiting the authority): its organization, the Zhuhai
# officer, the administrator. Report B (sponsored) also its sponsor unit. Everyone else: 404.
SEES_A = {"org_user_a": 200, "officer_zhuhai": 200, "admin": 200}

EXPECTED = {
    "annual:portal": ("/annual/", only({"org_user_a": 200, "org_user_b": 200, **REVIEWERS})),
    "annual:report_edit": ("/annual/2025/edit/", only({"org_user_a": 200, "org_user_b": 200})),
    "annual:queue": ("/annual/queue/", only({"officer_zhuhai": 200, "officer_foshan": 200, "sponsor": 200,
                                             "admin": 200})),
    "annual:queue_export": ("/annual/queue/export/", every(405)),
    "annual:report_detail": ("/annual/reports/{report_a}/", only(SEES_A)),
    "annual:report_attachment": ("/annual/reports/{report_a}/attachment/", only(SEES_A)),
    "annual:report_sponsor_review": ("/annual/reports/{report_b}/sponsor-review/", every(405)),
    "annual:report_review": ("/annual/reports/{report_a}/review/", every(405)),
    # The confirmation step of a submission: only the organization's own user; report A is
    # already submitted, so it is sent to the report.
    "annual:report_submit": ("/annual/reports/{report_a}/submit/", only({"org_user_a": 302})),
}

POSTS = {
    "annual:queue_export": ("/annual/queue/export/", {}, only(REVIEWERS)),
    # Those who can see the report get their answer on the report page (302: done, or refused
    # with a message); the rest cannot learn it exists.
    "annual:report_sponsor_review": ("/annual/reports/{report_b}/sponsor-review/",
                                     {"decision": "approve", "version": 2},
                                     only({"org_user_b": 302, "officer_zhuhai": 302, "sponsor": 302, "admin": 302})),
    # The authority gets the confirmation page (200, nothing published yet).
    "annual:report_review": ("/annual/reports/{report_a}/review/",
                             {"action": "review", "conclusion": "pass", "version": 2},
                             only({"org_user_a": 302, "officer_zhuhai": 200, "admin": 200})),
    "annual:report_submit": ("/annual/reports/{report_a}/submit/", {"version": 2}, only({"org_user_a": 302})),
}
