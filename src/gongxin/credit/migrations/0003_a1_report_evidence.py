"""A1 grounds found on a missing report and on the same report filed late become one piece of
evidence, ``report:<year>`` (credit.rules.REPORT_SAME_GROUND), instead of one per supervision
fact (``fact:<id>``): the late filing rectifies the ground the missing report opened.

Where both were recorded on the same entry, the late-filing ground (the later one) is merged
into the first: it goes, and if it restarted the listing period, the period runs again from
the listing (or the latest other ground added while listed). Where the late filing opened an
entry of its own, that ground keeps its old key (it is history an officer decides on; the
engine never finds it again)."""

from django.db import migrations

SAME = ("report_missing", "report_late")


def forwards(apps, schema_editor):
    ListingGround = apps.get_model("credit", "ListingGround")
    ListEntry = apps.get_model("credit", "ListEntry")
    SupervisionFact = apps.get_model("annual", "SupervisionFact")
    grounds = list(ListingGround.objects.filter(ground="A1", evidence_key__startswith="fact:")
                   .order_by("applies_from", "id"))
    if not grounds:
        return
    fact_ids = {int(g.evidence_key.split(":", 1)[1]) for g in grounds}
    facts = {pk: key for pk, key in SupervisionFact.objects.filter(pk__in=fact_ids, kind__in=SAME)
             .values_list("pk", "key")}
    taken = set(ListingGround.objects.filter(ground="A1", evidence_key__startswith="report:")
                .values_list("organization_id", "list", "evidence_key"))
    kept = {}  # (organization, list, new key) -> the ground that has it
    touched_entries = set()
    for g in grounds:
        year = facts.get(int(g.evidence_key.split(":", 1)[1]))
        if year is None:
            continue  # a 不合格 conclusion: a ground of its own
        new = (g.organization_id, g.list, f"report:{year}")
        first = kept.get(new)
        if first is None and new not in taken:
            g.evidence_key = new[2]
            g.save(update_fields=["evidence_key"])
            kept[new] = g
        elif first is not None and first.entry_id == g.entry_id:
            g.delete()
            touched_entries.add(g.entry_id)
    for entry in ListEntry.objects.filter(pk__in=touched_entries, listed_on__isnull=False):
        later = [d for d in ListingGround.objects.filter(entry=entry).values_list("added_on", flat=True)
                 if d > entry.listed_on]
        clock = max([entry.listed_on, *later])
        if entry.clock_from != clock:
            entry.clock_from = clock
            entry.save(update_fields=["clock_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0002_ground_removed_on"),
        ("annual", "0002_import_job"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
