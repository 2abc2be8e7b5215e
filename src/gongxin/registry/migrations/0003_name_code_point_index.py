"""PostgreSQL: an index in code-point order for search's tiers (registry.search.SearchResults):
``ORDER BY name COLLATE "C", id`` and ranges on ``name COLLATE "C"``. SQLite's index on name
already has that order."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('CREATE INDEX registry_organization_name_c ON registry_organization (name COLLATE "C", id)')


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX registry_organization_name_c")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
