"""The data migrations that normalize the names stored before names were normalized on the way
in: what they change, what they do with names that become equal, the search documents they
rebuild and the audit event they leave."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection

from gongxin.core.models import AuditEvent, Region
from gongxin.credit.models import PersonBadRecord, PersonRole
from gongxin.procurement.models import Department
from gongxin.registry import applications as svc
from gongxin.registry.models import Branch, Organization, ResponsiblePerson, SearchDocument, SponsorUnit
from gongxin.registry.selectors import SearchFilters, organization_search

pytestmark = pytest.mark.django_db
ZWSP, BOM = "\u200b", "\ufeff"


def migrate(app: str, name: str) -> None:
    importlib.import_module(f"gongxin.{app}.migrations.{name}").forward(apps, None)


def raw(model, pk, **values):
    """Store values as the code before this change could (the model fields now normalize every
    write, update() included)."""
    import json

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(k)} = %s" for k in values)
    params = [json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in values.values()]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
                       [*params, pk])


def stored(model, pk, field):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(field)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_registry_names_are_normalized_and_equal_names_are_reported_not_merged(actors, make_org, capsys):
    org_a, org_b = actors["org_a"], actors["org_b"]
    raw(Organization, org_a.pk, legal_representative=f"黄{ZWSP}晓龙", former_names=[f"旧名{ZWSP}", "旧名",
                                                                                 org_a.name + BOM])
    # org_b's stored name is a zero-width copy of org_a's: after normalization they are equal.
    raw(Organization, org_b.pk, name=org_a.name[:4] + ZWSP + org_a.name[4:])
    person = ResponsiblePerson.objects.create(organization=org_a, name="陈红", position="秘书长")
    raw(ResponsiblePerson, person.pk, name=f"陈{BOM}红")
    branch = Branch.objects.create(organization=org_a, name="香洲分会", kind="branch")
    raw(Branch, branch.pk, name=f"香洲{ZWSP}分会", leader="Ｌｉ")
    copy = SponsorUnit.objects.create(name="珠海市另一协会", region_id="440400")
    raw(SponsorUnit, copy.pk, name=f"珠海市科学技术{ZWSP}协会")  # a copy of the fixture's unit
    app = svc.application_save(actor=actors["founder"], kind="establishment", authority=Region.objects.get(code="440402"),
                               data={"name": "珠海市新设协会", "org_type": "social_group", "legal_representative": "李明",
                                     "address": "珠海", "business_scope": "交流", "registered_capital": "3",
                                     "founders": ["李明"]})
    raw(type(app), app.pk, data={**app.data, "name": f"珠海市新设{ZWSP}协会", "founders": [f"李{BOM}明", " "]})

    migrate("registry", "0009_normalize_names")

    org_a.refresh_from_db()
    assert org_a.legal_representative == "黄晓龙"
    assert org_a.former_names == ["旧名"]  # once, and the current name is not a former name
    assert stored(Organization, org_b.pk, "name") == org_a.name  # both keep the (now equal) name
    assert stored(ResponsiblePerson, person.pk, "name") == "陈红"
    assert (stored(Branch, branch.pk, "name"), stored(Branch, branch.pk, "leader")) == ("香洲分会", "Li")
    assert stored(SponsorUnit, copy.pk, "name") == f"珠海市科学技术{ZWSP}协会"  # unique: kept, for a person to merge
    app.refresh_from_db()
    assert (app.data["name"], app.data["founders"]) == ("珠海市新设协会", ["李明"])
    event = AuditEvent.objects.get(action="registry.names_normalize")
    duplicates = {d["object"] for d in event.after["duplicates"]}
    assert {f"registry.sponsorunit:{copy.pk}", f"registry.organization:{org_a.pk}",
            f"registry.organization:{org_b.pk}"} <= duplicates
    assert event.after["counts"]["registry.organization.legal_representative"] == 1
    assert "duplicate after normalization" in capsys.readouterr().out
    # Search found org_b by what its stored name showed; its document now has the normalized one.
    assert SearchDocument.objects.get(organization=org_b).name == org_a.name.lower()
    found = list(organization_search(actor=None, q="黄晓龙", filters=SearchFilters()))
    assert org_a in found


def test_the_migration_changes_nothing_and_records_nothing_on_normalized_data(actors):
    migrate("registry", "0009_normalize_names")
    migrate("credit", "0004_normalize_names")
    migrate("procurement", "0004_normalize_names")
    migrate("evaluation", "0002_normalize_names")
    assert not AuditEvent.objects.filter(action__endswith="names_normalize").exists()


def test_bad_records_are_normalized_and_a_record_that_becomes_a_copy_is_deleted(actors):
    def record(name, source):
        r = PersonBadRecord.objects.create(name="占位", role=PersonRole.LEGAL_REPRESENTATIVE, position="法定代表人",
                                           organization=actors["org_b"], source=source, reason="处罚",
                                           recorded_on=dt.date(2026, 3, 1))
        raw(PersonBadRecord, r.pk, name=name)
        return r

    clean = record("黄晓龙", "penalty:1")
    copy = record(f"黄{ZWSP}晓龙", "penalty:1")  # the same person, organization and source
    other = record(f"黄{ZWSP}晓龙", "listing:7")

    migrate("credit", "0004_normalize_names")

    assert set(PersonBadRecord.objects.values_list("pk", "name")) == {(clean.pk, "黄晓龙"), (other.pk, "黄晓龙")}
    assert not PersonBadRecord.objects.filter(pk=copy.pk).exists()
    event = AuditEvent.objects.get(action="credit.names_normalize")
    assert [d["object"] for d in event.after["duplicates"]] == [f"credit.personbadrecord:{copy.pk}"]
    # An application naming 黄晓龙 now meets both records.
    app = svc.application_save(actor=actors["founder"], kind="establishment", authority=Region.objects.get(code="440402"),
                               data={"name": "珠海市新设协会", "org_type": "social_group", "legal_representative": "黄晓龙",
                                     "address": "珠海", "business_scope": "交流", "registered_capital": "3"})
    check = next(c for c in svc.application_checks(app) if c.name == "bad_record")
    assert check.level == "warning" and check.message.count("黄晓龙") == 2


def test_departments_that_become_equal_keep_their_names_and_items_are_normalized(actors):
    from gongxin.procurement import catalogues as cat
    from gongxin.procurement.models import CatalogueKind, TransferableFunction

    copy = Department.objects.create(name="占位局", region_id="440400", region_prefix="4404")
    raw(Department, copy.pk, name=f"珠海市{ZWSP}民政局")  # the fixture's 珠海市民政局, with a zero-width space
    catalogue = cat.catalogue_create(actor=actors["officer_zhuhai"], kind=CatalogueKind.FUNCTIONS,
                                     region=Region.objects.get(code="440400"), year=2026, title="珠海市目录")
    item = cat.function_add(actor=actors["officer_zhuhai"], catalogue=catalogue, code="1", name="行业统计调查",
                            department_name="珠海市民政局", mode="entrust")
    raw(TransferableFunction, item.pk, department_name=f"{BOM}珠海市民政局")

    migrate("procurement", "0004_normalize_names")

    assert stored(Department, copy.pk, "name") == f"珠海市{ZWSP}民政局"
    assert stored(TransferableFunction, item.pk, "department_name") == "珠海市民政局"
    event = AuditEvent.objects.get(action="procurement.names_normalize")
    assert [d["object"] for d in event.after["duplicates"]] == [f"procurement.department:{copy.pk}"]
