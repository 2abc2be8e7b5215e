import pytest
from django.core.management import call_command

from gongxin.annual.models import DormancyFinding, FactKind, SupervisionFact

pytestmark = pytest.mark.django_db


def test_nightly_run_records_facts_then_dormancy_and_a_rerun_changes_nothing(actors, capsys):
    call_command("nightly", "--today", "2026-06-02")
    first = capsys.readouterr().out
    assert '"report_missing_facts": ' in first
    # Nobody reported 2021-2025: two missed years make every organization a dormancy finding.
    assert SupervisionFact.objects.filter(kind=FactKind.REPORT_MISSING, organization=actors["org_a"]).count() == 5
    assert DormancyFinding.objects.filter(organization=actors["org_a"]).exists()
    facts, findings = SupervisionFact.objects.count(), DormancyFinding.objects.count()
    call_command("nightly", "--today", "2026-06-02")
    assert '"report_missing_facts": 0' in capsys.readouterr().out
    assert (SupervisionFact.objects.count(), DormancyFinding.objects.count()) == (facts, findings)
