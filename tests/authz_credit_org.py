"""Authorization expectations for the organization's own credit pages, credit reports and their
public verification, and integrity commitments (merged by test_authorization).

Organization A has a (removed) abnormal-list entry, an issued credit report and, through the
Zhuhai jurisdiction, a commitment text in force. Organization users see their own pages only;
the Zhuhai officer and the administrator may issue and download A's reports; verification is
public; commitment texts are the officers' (the Foshan officer cannot see Zhuhai's)."""

from tests.authz import every, only

REPORT_CODE = "AUTHZ23456789ABC"  # well-formed: 16 characters of reports.CODE_ALPHABET
ORG_USERS = {"org_user_a": 200, "org_user_b": 200}
OFFICERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}
A_AND_ITS_OFFICERS = {"org_user_a": 200, "officer_zhuhai": 200, "admin": 200}


def setup(actors) -> dict:
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from gongxin.credit.models import CommitmentText, CreditReport, ListEntry

    org = actors["org_a"]
    # Removed, so no open-entry constraint can collide with another part's setup.
    entry = ListEntry.objects.create(
        organization=org, list="abnormal", status="removed", authority_id=org.registration_authority_id,
        region_prefix=org.region_prefix, noticed_on=dt.date(2025, 1, 2), objection_due=dt.date(2025, 1, 16),
        listed_on=dt.date(2025, 1, 20), clock_from=dt.date(2025, 1, 20), removed_on=dt.date(2025, 7, 20),
        removal_kind="automatic", reason="受到警告", removal_reason="列入活动异常名录满6个月,无需整改,自动移出")
    name = "credit-reports/authz-test.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    report = CreditReport.objects.create(code=REPORT_CODE, organization=org, generated_at=timezone.now(),
                                         sha256="0" * 64, summary={"credit_status": "normal"}, file=name)
    text = CommitmentText.objects.create(region_id="440400", title="珠海市社会组织诚信自律承诺书",
                                         body="一、依法办会。", effective_from=dt.date(2020, 1, 1))
    return {"credit_entry": entry.pk, "credit_report": report.code, "credit_text": text.pk}


EXPECTED = {
    "credit:my": ("/credit/my/", only(ORG_USERS)),
    "credit:my_entry": ("/credit/my/entries/{credit_entry}/", only({"org_user_a": 200})),
    "credit:my_penalties": ("/credit/my/penalties/?sort=date", only(ORG_USERS)),
    "credit:my_information": ("/credit/my/information/?category=penalty", only(ORG_USERS)),
    # Organization B naming A's code gets a 404, as does the Foshan officer.
    "credit:my_reports": ("/credit/my/reports/?uscc={org_a}", only(A_AND_ITS_OFFICERS)),
    "credit:report_issue": ("/credit/my/report/", every(405)),
    "credit:report_download": ("/credit/my/reports/{credit_report}/download/", only(A_AND_ITS_OFFICERS)),
    "credit:verify": ("/credit/verify/", every(200)),
    "credit:verify_detail": ("/credit/verify/{credit_report}/", every(200)),
    "credit:commitment_texts": ("/credit/commitments/texts/", only(OFFICERS)),
    "credit:commitment_text_new": ("/credit/commitments/texts/new/", only(OFFICERS)),
    "credit:commitment_text": ("/credit/commitments/texts/{credit_text}/", only({"officer_zhuhai": 200, "admin": 200})),
    "credit:commitment_sign": ("/credit/commitments/sign/", only(ORG_USERS)),
}

POSTS = {
    # A removed entry takes no objection: its organization is told so on the page (302).
    "credit:my_entry": ("/credit/my/entries/{credit_entry}/",
                        {"action": "objection", "objection-objection": "事实有误", "objection-confirm": "on"},
                        only({"org_user_a": 302})),
    "credit:report_issue": ("/credit/my/report/?uscc={org_a}", {}, only({"org_user_a": 302, "officer_zhuhai": 302,
                                                                       "admin": 302})),
    # No file chosen: the page says so (400) to everyone; nothing is stored.
    "credit:verify_detail": ("/credit/verify/{credit_report}/", {}, every(400)),
    # Incomplete forms come back with their errors (200) to those who may use them.
    "credit:commitment_text_new": ("/credit/commitments/texts/new/", {}, only(OFFICERS)),
    "credit:commitment_sign": ("/credit/commitments/sign/", {}, only(ORG_USERS)),
}
