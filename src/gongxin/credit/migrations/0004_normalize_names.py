"""Normalize the names credit already stores (core.text.normalize_identity), as every new one is
from now on: bad records of persons (so that 黄晓龙 stored with a zero-width space from a registry entry
matches an application naming 黄晓龙), banned organizations, signatories of integrity commitments,
member enterprises of credit files, and the deciding bodies of records and penalties.

When normalization makes two names equal:
- two bad records of the same person, organization and source (the unique key): they are the
  same record twice, and the later one is deleted (bad records are derived from a penalty or
  a listing, which keeps its own record);
- anything else (banned organizations, member names, deciding bodies): both rows are kept;
  they are told apart by their own keys (decision number, member's code).

One audit event (action ``credit.names_normalize``) records what changed. Not reversible: the
forms before are in that event.
"""

from django.db import migrations

from gongxin.core.text import normalization_report, normalize_rows, normalize_unique_rows


def forward(apps, schema_editor):
    def model(name):
        return apps.get_model("credit", name)

    changes, duplicates = normalize_unique_rows(model("PersonBadRecord").objects.all(), "name",
                                                together=("organization_id", "source"), on_duplicate="delete")
    changes += normalize_rows(model("BannedOrganization").objects.all(), ["name"])
    changes += normalize_rows(model("IntegrityCommitment").objects.all(), ["signatory"])
    changes += normalize_rows(model("MemberCreditFile").objects.all(), ["member_name"])
    changes += normalize_rows(model("CreditRecord").objects.all(), ["deciding_body"])
    changes += normalize_rows(model("Penalty").objects.all(), ["deciding_body"])
    normalization_report(action="credit.names_normalize", changes=changes, duplicates=duplicates,
                         note="the duplicate bad record was deleted")


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_a1_report_evidence"), ("core", "0005_workday_year")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
