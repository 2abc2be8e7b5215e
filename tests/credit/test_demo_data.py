"""The demo credit data of ``gongxin seed``: made through the services and the engine, so it
obeys the procedure (every listing had its notice and objection period) and a rerun of the
engine finds nothing to do."""

from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.core import regions
from gongxin.core.audit import audit_verify
from gongxin.core.models import Region
from gongxin.credit import engine
from gongxin.credit.models import IntegrityCommitment, ListEntry, ListingStatus, MemberCreditFile, Penalty
from gongxin.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_demo_credit_follows_the_procedure_and_is_stable():
    regions.load_into(Region)
    call_command("seed", orgs=600, seed=2026, batch=200, stdout=StringIO())
    assert Penalty.objects.count() > 20
    listed = ListEntry.objects.filter(status=ListingStatus.LISTED)
    assert listed.filter(list="abnormal").exists() and listed.filter(list="dishonest").exists()
    for entry in listed:
        assert entry.listed_on > entry.objection_due >= entry.noticed_on
        assert entry.grounds.exists()
    dishonest = set(listed.filter(list="dishonest").values_list("organization_id", flat=True))
    assert set(Organization.objects.filter(credit_status="dishonest").values_list("id", flat=True)) == dishonest
    assert IntegrityCommitment.objects.count() == 1 and MemberCreditFile.objects.count() == 8
    run = engine.evaluate()
    assert not any(v for k, v in run.counts.items() if k != "seconds")
    assert audit_verify().ok
