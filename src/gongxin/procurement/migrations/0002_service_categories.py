"""Load the category tree of the purchasable services catalogue (procurement/categories.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from gongxin.procurement.categories import CATEGORIES

    ServiceCategory = apps.get_model("procurement", "ServiceCategory")
    for code, name, children in CATEGORIES:
        ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})
        for child_code, child_name in children:
            ServiceCategory.objects.get_or_create(code=child_code, defaults={"name": child_name, "parent_id": code})


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
