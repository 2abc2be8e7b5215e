"""Authorization expectations for the OCDS API (merged by test_authorization): publication is
public, the same answer for everyone, signed in or not; drafts have no releases."""

import datetime as dt
from decimal import Decimal

from tests.authz import every

EXPECTED = {
    "api:ocds_releases": ("/api/v1/ocds/releases?since=2026-01-01T00:00:00%2B08:00", every(200)),
    "api:ocds_record": ("/api/v1/ocds/records/{ocds_ocid}", every(200)),
    "api:ocds_bulk": ("/api/v1/ocds/bulk?year=2026", every(200)),
}


def setup(actors) -> dict:
    """One publicized project with its tender release (through the ORM: the workflow services
    have their own tests)."""
    from gongxin.procurement import ocds
    from gongxin.procurement.models import PurchaseProject

    project = PurchaseProject.objects.create(
        ocid="tmp-authz-ocds", department=actors["purchaser"].department, region_id="440400", region_prefix="4404",
        title="社区养老服务项目", description="上门助餐服务。", budget=Decimal("100000.00"), method="public_tender",
        year=2026, publicized_on=dt.date(2026, 3, 2), procurement_starts_on=dt.date(2026, 3, 17),
        bid_deadline=dt.date(2026, 3, 31), service_starts_on=dt.date(2026, 5, 1),
        service_ends_on=dt.date(2026, 12, 31), status="publicized")
    project.ocid = ocds.ocid_for(project)
    project.save(update_fields=["ocid"])
    ocds.release_publish(project=project, tag="tender", when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    from gongxin.procurement.ocds_bulk import bulk_build

    bulk_build()  # the bulk download is a generated file
    return {"ocds_ocid": project.ocid}
