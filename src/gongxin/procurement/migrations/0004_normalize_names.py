"""Normalize the names procurement already stores (core.text.normalize_identity), as every new
one is from now on: departments, the department and item names of catalogue items (so that a
transfer finds the department a function names), and awarded suppliers.

When normalization makes two names equal:
- two departments of one region (unique together): the later one keeps its stored name and is
  listed in the audit event and on standard output, for an administrator to merge them
  (purchaser users and projects point at each);
- catalogue items and suppliers: both kept (items are told apart by their code).

One audit event (``procurement.names_normalize``) records what changed. Not reversible: the
forms before are in that event.
"""

from django.db import migrations

from gongxin.core.text import normalization_report, normalize_rows, normalize_unique_rows


def forward(apps, schema_editor):
    def model(name):
        return apps.get_model("procurement", name)

    changes, duplicates = normalize_unique_rows(model("Department").objects.all(), "name", together=("region_id",))
    changes += normalize_rows(model("TransferableFunction").objects.all(), ["name", "department_name"])
    changes += normalize_rows(model("PurchasableService").objects.all(), ["name", "department_name"])
    changes += normalize_rows(model("PurchaseProject").objects.all(), ["awarded_supplier_name"])
    normalization_report(action="procurement.names_normalize", changes=changes, duplicates=duplicates,
                         note="the later department keeps its stored name")


class Migration(migrations.Migration):
    dependencies = [("procurement", "0003_project_index_and_withdrawal"), ("core", "0005_workday_year")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
