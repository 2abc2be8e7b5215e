"""Normalize the deciding bodies of recorded grades (core.text.normalize_identity), as every new
one is from now on. Bodies that become equal stay as they are on their grades (nothing is
unique about them). One audit event (``evaluation.names_normalize``) records what changed."""

from django.db import migrations

from gongxin.core.text import normalization_report, normalize_rows


def forward(apps, schema_editor):
    changes = normalize_rows(apps.get_model("evaluation", "Evaluation").objects.all(), ["deciding_body"])
    normalization_report(action="evaluation.names_normalize", changes=changes)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("core", "0005_workday_year")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
