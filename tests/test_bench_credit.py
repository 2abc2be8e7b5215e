"""bench/credit.py at a tiny scale: its generated data reaches the grounds, its hand-written
statement finds exactly the (organization, list) pairs the engine notices (what makes the
benchmark's ratio meaningful), including at the rules' calendar boundaries, and its clean-up
puts the database back so repeated runs are the same run."""

from __future__ import annotations

import datetime as dt
import importlib.util
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gongxin.core import regions
from gongxin.core.audit import audit_verify
from gongxin.core.models import AuditEvent, Region
from gongxin.credit import engine
from gongxin.credit.models import CreditRecord, CreditRun, ListEntry, ListingGround, Penalty

pytestmark = pytest.mark.django_db


def _load_bench():
    path = Path(__file__).resolve().parent.parent / "bench" / "credit.py"
    spec = importlib.util.spec_from_file_location("bench_credit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_windows_are_the_rules_to_the_day():
    assert bench.first_active_day(6, dt.date(2026, 6, 30)) == dt.date(2026, 1, 1)
    assert bench.first_active_day(24, dt.date(2026, 6, 30)) == dt.date(2024, 7, 1)
    # 29-31 August + 6 months is 28 February: all three have run out on that day.
    assert bench.first_active_day(6, dt.date(2027, 2, 28)) == dt.date(2026, 9, 1)


def test_statement_and_engine_agree_on_a_generated_registry():
    regions.load_into(Region)  # a transactional test elsewhere may have flushed the region table
    call_command("seed", orgs=2000, seed=2026, batch=1000, no_accounts=True, stdout=StringIO())
    bench.generate(2026)
    audit_before = AuditEvent.objects.count()

    run = engine.evaluate(today=bench.TODAY)
    pairs = bench.engine_pairs()
    assert run.counts["noticed"] == len(pairs) > 100
    assert {list_ for _, list_ in pairs} == {"abnormal", "dishonest"}
    assert {"A1", "A3", "A5", "A6", "D3", "D4", "D5", "D6", "D7"} <= set(
        ListingGround.objects.values_list("ground", flat=True))
    assert bench.baseline_pairs(bench.TODAY) == pairs
    again = engine.evaluate(today=bench.TODAY)
    assert not {k: v for k, v in again.counts.items() if k != "seconds" and v}

    bench.clean()
    assert not ListEntry.objects.exists() and not ListingGround.objects.exists() and not CreditRun.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    assert audit_verify().broken_id is None  # the chain's tail went, the chain holds
    assert engine.evaluate(today=bench.TODAY).counts["noticed"] == len(pairs)


def test_statement_follows_the_repeat_window_at_its_boundaries(make_org):
    """D5: the later minor penalty must fall before the third anniversary of the earlier one,
    with 29 February + 36 months = 28 February (not SQLite's 1 March)."""
    today = dt.date(2027, 3, 15)
    orgs = {name: make_org(name) for name in ("within", "on_anniversary", "leap_day", "big_fine", "future")}

    def penalty(org, decided_on, kind="warning", amount=None):
        Penalty.objects.create(organization=org, kind=kind, amount=amount, decided_on=decided_on,
                               decision_number=f"T-{org.pk}-{decided_on}-{kind}", facts="事实", legal_basis="依据",
                               deciding_body="民政局", authority_id=org.registration_authority_id)

    penalty(orgs["within"], dt.date(2023, 5, 10))
    penalty(orgs["within"], dt.date(2026, 5, 9), "fine", 1000)
    penalty(orgs["on_anniversary"], dt.date(2023, 5, 10), "fine", 1000)
    penalty(orgs["on_anniversary"], dt.date(2026, 5, 10), "fine", 49999)  # too late by a day
    penalty(orgs["leap_day"], dt.date(2024, 2, 29))
    penalty(orgs["leap_day"], dt.date(2027, 2, 28))
    penalty(orgs["big_fine"], dt.date(2025, 6, 1))
    penalty(orgs["big_fine"], dt.date(2026, 6, 1), "fine", 50000)  # not minor: D4, not D5
    # Dated after the run's day: not known yet.
    penalty(orgs["future"], dt.date(2027, 3, 16), "fine", 80000)
    CreditRecord.objects.create(organization=orgs["future"], category="other", kind="court_defaulter", title="失信",
                                source="法院", deciding_body="人民法院", occurred_on=dt.date(2027, 3, 16))

    engine.evaluate(today=today)
    pairs = bench.engine_pairs()
    dishonest = {org_id for org_id, list_ in pairs if list_ == "dishonest"}
    assert dishonest == {orgs["within"].pk, orgs["big_fine"].pk}
    assert (orgs["leap_day"].pk, "abnormal") in pairs  # the 2027 warning itself (A5)
    assert orgs["future"].pk not in {org_id for org_id, _ in pairs}
    assert set(ListingGround.objects.filter(ground="D5").values_list("organization_id", flat=True)) == {
        orgs["within"].pk}
    assert bench.baseline_pairs(today) == pairs
