from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.accounts.models import Role, User
from gongxin.core import uscc
from gongxin.core.audit import audit_verify
from gongxin.registry.models import Organization, OrgType, SearchDocument
from gongxin.registry.selectors import SearchFilters, organization_search
from gongxin.registry.services import search_document_values

pytestmark = pytest.mark.django_db

FIELDS = ("uscc", "certificate_number", "certificate_valid_from", "certificate_valid_to", "name", "org_type", "subtype", "registration_authority_id", "legal_representative", "address",
          "established_on", "registered_capital", "status", "industry", "former_names")


def snapshot():
    return list(Organization.objects.order_by("id").values_list(*FIELDS))


def seed(n, s, **kw):
    # The annual reports have tests of their own (tests/annual/test_demo_data.py); these delete
    # organizations between runs, which reports referencing them would forbid.
    call_command("seed", orgs=n, seed=s, batch=70, stdout=StringIO(), **{"no_accounts": True, "no_annual": True, **kw})


def test_same_seed_gives_the_same_registry():
    seed(300, 7)
    first = snapshot()
    Organization.objects.all().delete()
    seed(300, 7)
    second = snapshot()
    assert first == second  # codes, dates and all: nothing depends on database ids or today


def test_different_seeds_differ():
    seed(50, 1)
    a = [r[1] for r in snapshot()]
    Organization.objects.all().delete()
    seed(50, 2)
    assert a != [r[1] for r in snapshot()]


def test_seeded_rows_are_valid_and_searchable():
    seed(500, 2026)
    orgs = list(Organization.objects.select_related("registration_authority"))
    assert len(orgs) == 500
    for org in orgs:
        parts = uscc.parse(org.uscc)
        assert parts.region_code == org.registration_authority_id
        assert org.region_prefix and org.registration_authority_id.startswith(org.region_prefix)
    types = [o.org_type for o in orgs]
    assert 0.30 < types.count(OrgType.SOCIAL_GROUP) / 500 < 0.55
    assert 0.45 < types.count(OrgType.SOCIAL_SERVICE_AGENCY) / 500 < 0.70
    # The bulk path writes the same search document the services would.
    org = orgs[123]
    doc = SearchDocument.objects.get(organization=org)
    assert {"text": doc.text, "tokens": doc.tokens, "name": doc.name} == search_document_values(org)
    found = organization_search(actor=None, q=org.name, filters=SearchFilters())
    assert found[0] == org
    assert audit_verify().ok


def test_seed_if_empty_does_nothing_on_a_filled_registry():
    seed(20, 1)
    out = StringIO()
    call_command("seed", orgs=20, seed=1, if_empty=True, stdout=out)
    assert Organization.objects.count() == 20
    assert "not seeding" in out.getvalue()


def test_seed_creates_demo_accounts_scoped_to_zhuhai():
    seed(400, 2026, no_accounts=False)
    officer = User.objects.get(username="officer_zhuhai")
    assert officer.role == Role.OFFICER and officer.jurisdiction_id == "440400"
    org_user = User.objects.get(username="org_zhuhai")
    assert org_user.organization.region_prefix.startswith("4404")
