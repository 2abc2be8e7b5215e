"""Authorization expectations for the public disclosure platform of the purchase of services
(merged by test_authorization): the list, the notices, their public documents and the
statistics are published for everyone, signed in or not; a draft is nobody's business here
(404 for all, its purchaser included). The list's Excel export is a POST; export jobs have an
owner, so the public is sent to sign in first (302) and everyone else to the job's page (302)."""

import datetime as dt
from decimal import Decimal

from tests.authz import every

EXPECTED = {
    "procurement:public_index": ("/procurement/?q=养老&year=2026&region=440400&category=A&sort=budget", every(200)),
    "procurement:public_export": ("/procurement/export/", every(405)),  # POST only
    "procurement:public_project": ("/procurement/projects/{public_project}/", every(200)),
    "procurement:public_document": ("/procurement/projects/{public_project}/documents/{public_document}/",
                                    every(200)),
    "procurement:public_stats": ("/procurement/statistics/?region=440400", every(200)),
    "procurement:public_stats_export": ("/procurement/statistics/export/?region=440400", every(200)),
}

POSTS = {
    "procurement:public_export": ("/procurement/export/", {"q": "养老"}, every(302)),
}


def setup(actors) -> dict:
    """One publicized project with a public tender document, and one draft (through the ORM:
    the workflow services have their own tests)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongxin.procurement.models import ProjectDocument, PurchaseProject

    def project(ocid, status, publicized_on):
        return PurchaseProject.objects.create(
            ocid=ocid, department=actors["purchaser"].department, region_id="440400", region_prefix="4404",
            title="2026年香洲区居家养老服务项目", description="上门助餐服务。", budget=Decimal("100000.00"),
            method="competitive_consultation", year=2026, publicized_on=publicized_on,
            procurement_starts_on=dt.date(2026, 3, 17), bid_deadline=dt.date(2026, 3, 31),
            service_starts_on=dt.date(2026, 5, 1), service_ends_on=dt.date(2026, 12, 31), status=status)

    public = project("tmp-authz-public", "publicized", dt.date(2026, 3, 2))
    draft = project("tmp-authz-public-draft", "draft", None)
    document = ProjectDocument.objects.create(project=public, kind="tender", title="采购文件", sha256="0",
                                              file=SimpleUploadedFile("tender.pdf", b"%PDF-1.4\n%%EOF\n"))
    return {"public_project": public.pk, "public_document": document.pk, "public_draft": draft.pk}
