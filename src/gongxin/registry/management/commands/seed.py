"""gongxin seed --orgs N --seed S: a deterministic, realistic demo registry.

Streams batches straight into the tables (core.bulk) with ids assigned here, so memory stays
bounded and a million organizations load well inside ten minutes on two cores.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from gongxin.core import uscc as uscc_mod
from gongxin.core.audit import audit_record
from gongxin.core.bulk import columns_of, insert_rows, next_id, reset_sequence
from gongxin.core.models import Region
from gongxin.registry.demo_data import OrgGenerator
from gongxin.registry.models import (
    USCC_TYPE_DIGIT,
    Branch,
    ChangeItem,
    Organization,
    OrganizationChange,
    ResponsiblePerson,
    SearchDocument,
    SponsorUnit,
)
from gongxin.registry.search import build_document, facet_tokens, normalize

# The generated registry is current to today by default (every demo date then lies in the
# past and the clock agrees with it); ``--as-of`` fixes the day, and the same seed and day
# always give the same data.
_CERT_WORD = {"social_group": "社", "social_service_agency": "民", "foundation": "基"}


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Command(BaseCommand):
    @staticmethod
    def _tune_after_load() -> None:
        """After a bulk load: merge SQLite's FTS segments (a million inserts leave hundreds, and
        every lookup reads them all) and refresh the planners' statistics on both engines."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("INSERT INTO registry_search_fts(registry_search_fts) VALUES ('optimize')")
                cursor.execute("ANALYZE")
            else:
                # VACUUM also sets the visibility map (index-only counts); it cannot run inside a
                # transaction (a caller's, or a test's), where ANALYZE alone has to do.
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                for table in ("registry_organization", "registry_searchdocument"):
                    cursor.execute(f"{verb} {table}")

    help = "Generate a deterministic demo registry of Guangdong social organizations."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=3000, help="number of organizations")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed gives the same data")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if organizations exist")
        parser.add_argument("--no-accounts", action="store_true", help="skip the demo accounts")
        parser.add_argument("--no-annual", action="store_true",
                            help="skip the five years of annual work reports and their supervision facts")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                            help="the date the demo is current to (reports, penalties, listings, projects) [today]")

    def handle(self, *args, orgs, seed, batch, if_empty, no_accounts, as_of, no_annual=False, **options):
        existing = Organization.objects.count()
        if if_empty and existing:
            self.stdout.write(f"The registry already has {existing:,} organizations; not seeding.")
            return
        regions = list(Region.objects.filter(code__startswith="44").values_list("code", "name", "level", "parent_id"))
        region_names = {code: name for code, name, _level, _parent in regions}
        # The generator adds distinguishing words to names in busy regions as the load grows, so
        # a small demo registry keeps plain names (珠海市陶瓷行业协会) and a large one stays unique.
        gen = OrgGenerator(seed, regions, expected_records=orgs)
        sponsors = dict(SponsorUnit.objects.values_list("name", "id"))
        first_id = next_id(Organization)
        ids = {m: next_id(m) for m in (ResponsiblePerson, Branch, OrganizationChange)}
        cols = {m: columns_of(m) for m in (Organization, SearchDocument, ResponsiblePerson, Branch, OrganizationChange)}
        # Child rows below are written positionally; fail loudly if a model's columns change.
        assert cols[ResponsiblePerson] == ["id", "organization_id", "name", "position", "term_start", "term_end"]
        assert cols[Branch] == ["id", "organization_id", "name", "kind", "leader", "established_on", "hidden_at",
                                "hidden_by_id", "hidden_reason"]
        assert cols[OrganizationChange] == ["id", "organization_id", "item", "before", "after", "changed_on"]
        now = timezone.now()
        as_of = as_of or timezone.localdate()
        today = as_of
        # USCC serials continue after the organizations already there (0 on an empty registry),
        # so the codes depend on the seed and the row, not on database ids.
        first_serial = existing
        started = time.monotonic()
        for batch_start in range(0, orgs, batch):
            rows = {m: [] for m in cols}
            for i in range(batch_start, min(batch_start + batch, orgs)):
                org_id = first_id + i
                rec = gen.generate(i)
                region = rec["region_code"]
                sponsor_id = None
                if rec["sponsor_unit"]:
                    sponsor_id = sponsors.get(rec["sponsor_unit"])
                    if sponsor_id is None:
                        sponsor_id = SponsorUnit.objects.create(name=rec["sponsor_unit"], region_id=region).id
                        sponsors[rec["sponsor_unit"]] = sponsor_id
                serial = first_serial + i
                code = uscc_mod.generate(org_type=USCC_TYPE_DIGIT[rec["org_type"]], region_code=region, serial=serial)
                established = rec["established_on"]
                renewals = max(0, (today - established).days // 1826)
                valid_from = _add_years(established, 5 * renewals)
                name = rec["name"]
                values = {
                    "id": org_id, "uscc": code, "name": name, "former_names": rec["former_names"],
                    "org_type": rec["org_type"], "subtype": rec["subtype"], "registration_authority_id": region,
                    "region_prefix": Region.prefix_of(region), "sponsor_unit_id": sponsor_id,
                    "legal_representative": rec["legal_representative"], "address": rec["address"],
                    "business_scope": rec["business_scope"], "established_on": established,
                    "registered_capital": rec["registered_capital"],
                    "certificate_number": f"{region_names[region][:2]}{_CERT_WORD[rec['org_type']]}证字第{serial + 1:07d}号",
                    "certificate_valid_from": valid_from, "certificate_valid_to": _add_years(valid_from, 5),
                    "status": rec["status"], "industry": rec["industry"], "member_count": rec["member_count"],
                    "party_org_summary": rec["party_org_summary"], "phone": rec["phone"], "version": 1,
                    "credit_status": "",
                    "created_at": now, "updated_at": now,
                }
                rows[Organization].append([values[c] for c in cols[Organization]])
                facets = facet_tokens(org_type=rec["org_type"], subtype=rec["subtype"], status=rec["status"],
                                      industry=rec["industry"], region_prefix=values["region_prefix"])
                text, tokens = build_document(name, rec["former_names"], rec["legal_representative"], facets)
                doc = {"organization_id": org_id, "text": text, "tokens": tokens, "name": normalize(name)}
                rows[SearchDocument].append([doc[c] for c in cols[SearchDocument]])
                for person_name, position in rec["responsible_persons"]:
                    rows[ResponsiblePerson].append([ids[ResponsiblePerson], org_id, person_name, position, valid_from,
                                                    _add_years(valid_from, 5)])
                    ids[ResponsiblePerson] += 1
                for branch_name, kind in rec["branches"]:
                    rows[Branch].append([ids[Branch], org_id, branch_name, kind, "", None, None, None, ""])
                    ids[Branch] += 1
                for former in rec["former_names"]:
                    changed_on = established + (today - established) / 2
                    rows[OrganizationChange].append([ids[OrganizationChange], org_id, ChangeItem.NAME, former, name,
                                                     changed_on])
                    ids[OrganizationChange] += 1
            with transaction.atomic():
                for model, model_rows in rows.items():
                    if model_rows:
                        insert_rows(model, cols[model], model_rows)
            done = min(batch_start + batch, orgs)
            rate = done / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"  {done:,} / {orgs:,} organizations ({rate:,.0f}/s)")
        for model in cols:
            reset_sequence(model)
        self._tune_after_load()
        with transaction.atomic():
            audit_record(actor=None, action="registry.seed", object_type="registry.organization",
                         after={"organizations": orgs, "seed": seed, "first_id": first_id})
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {orgs:,} organizations in {elapsed:,.1f} s."))
        if not no_annual:
            from gongxin.annual.demo_data import seed_annual

            counts = seed_annual(as_of=as_of, seed=seed, stdout=self.stdout, first_id=first_id, chunk=batch)
            with transaction.atomic():
                audit_record(actor=None, action="annual.seed", object_type="annual.annualreport",
                             after={"seed": seed, "as_of": as_of.isoformat(), **counts})
        if not no_accounts:
            from gongxin.accounts.services import demo_accounts_ensure

            demo_accounts_ensure()
            if not no_annual:
                from gongxin.annual.demo_data import seed_supervision_demo

                counts = seed_supervision_demo(as_of=as_of, seed=seed)
                if counts:
                    self.stdout.write(f"Demo supervision work: {counts}")
                from gongxin.credit.demo_data import seed_credit_demo

                counts = seed_credit_demo(as_of=as_of, seed=seed)
                if counts:
                    self.stdout.write(f"Demo credit supervision: {counts}")
                from gongxin.procurement.demo_data import seed_procurement_demo

                counts = seed_procurement_demo(as_of=as_of, seed=seed)
                if counts:
                    self.stdout.write(f"Demo function transfer and purchase of services: {counts}")
