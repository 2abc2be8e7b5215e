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


def test_demo_credit_follows_the_procedure_lists_a_few_percent_and_is_stable():
    regions.load_into(Region)
    call_command("seed", orgs=600, seed=2026, batch=200, stdout=StringIO())
    assert Penalty.objects.count() >= 10
    listed = ListEntry.objects.filter(status=ListingStatus.LISTED)
    assert listed.filter(list="abnormal").exists() and listed.filter(list="dishonest").exists()
    # The proportions of a real registry (README, "Demo data"): a few percent on the abnormal
    # list, well under one percent on the dishonest list.
    orgs = Organization.objects.count()
    abnormal = listed.filter(list="abnormal").values("organization_id").distinct().count()
    dishonest = listed.filter(list="dishonest").values("organization_id").distinct().count()
    assert 0.02 <= abnormal / orgs <= 0.07, (abnormal, orgs)
    assert dishonest / orgs < 0.01, (dishonest, orgs)
    for entry in listed:
        assert entry.listed_on > entry.objection_due >= entry.noticed_on
        assert entry.grounds.exists()
    dishonest = set(listed.filter(list="dishonest").values_list("organization_id", flat=True))
    assert set(Organization.objects.filter(credit_status="dishonest").values_list("id", flat=True)) == dishonest
    assert IntegrityCommitment.objects.count() == 1 and MemberCreditFile.objects.count() == 8
    run = engine.evaluate()
    assert not any(v for k, v in run.counts.items() if k != "seconds")
    assert audit_verify().ok


def test_demo_dates_agree_with_each_other_and_with_the_clock():
    """Seeded as of today by default: nothing is dated in the future, no notice cites a fact
    dated after it, and a person's bad record carries the date of the penalty it records."""
    import datetime as dt

    from django.utils import timezone

    from gongxin.credit.models import CreditRecord, ListingGround, PersonBadRecord

    regions.load_into(Region)
    call_command("seed", orgs=600, seed=2026, batch=200, stdout=StringIO())
    today = timezone.localdate()
    assert max(Penalty.objects.values_list("decided_on", flat=True)) <= today
    assert all(p.decided_on <= timezone.localdate(p.created_at) for p in Penalty.objects.all())
    assert max(CreditRecord.objects.values_list("occurred_on", flat=True)) <= today
    for entry in ListEntry.objects.prefetch_related("grounds"):
        assert entry.noticed_on <= today and (entry.listed_on or entry.noticed_on) <= today
        for g in entry.grounds.all():
            assert g.applies_from <= g.added_on <= today, (g.facts, g.added_on)
            if entry.status == ListingStatus.NOTICED:
                assert g.applies_from <= entry.noticed_on, (g.facts, entry.noticed_on)
    assert ListingGround.objects.exists()
    decided = dict(Penalty.objects.values_list("pk", "decided_on"))
    for record in PersonBadRecord.objects.filter(source__startswith="penalty:"):
        assert record.recorded_on == decided[int(record.source.split(":")[1])]
    assert dt.date.min < today
