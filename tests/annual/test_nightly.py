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


def test_nightly_run_verifies_the_audit_chain_and_reports_a_break(actors, capsys):
    import json

    from gongxin.core.models import AuditEvent
    from tests.core.test_audit import _bypass_append_only_triggers

    call_command("nightly", "--today", "2026-06-02")
    assert json.loads(capsys.readouterr().out)["audit"]["ok"] is True
    victim = AuditEvent.objects.order_by("id")[3]
    _bypass_append_only_triggers()  # as an attacker with rights over the table would
    AuditEvent.objects.filter(pk=victim.pk).update(action="tampered")
    call_command("nightly", "--today", "2026-06-03")
    out = json.loads(capsys.readouterr().out)["audit"]
    assert out["ok"] is False and out["broken_id"] == victim.pk
    assert AuditEvent.objects.filter(action="audit.verify").count() == 2
