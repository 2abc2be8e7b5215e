"""The transferable-functions and purchasable-services catalogues (政府职能转移目录,
政府购买服务指导目录; domain-rules §5): writes (services) and reads (selectors).

A catalogue is one batch of one kind for one jurisdiction. Officers build a batch as a DRAFT
(items entered one by one or imported from Excel, see ``catalogue_imports``) and publish it;
publishing supersedes the batch of the same kind and jurisdiction in force until then, which
stays readable as history. Published and superseded batches are frozen: a correction is a new
batch. The qualified-organizations catalogue (kind QUALIFIED) accumulates batches instead and
is built elsewhere (qualification); nothing here touches it.

Every item change bumps the catalogue's ``version``, so a publish confirmed on a page that no
longer shows the current items is refused as stale."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Length, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.core.models import Region
from gongxin.procurement.models import (
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    PurchasableService,
    ServiceCategory,
    TransferableFunction,
    TransferMode,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.selectors import officer_manages, officer_prefix, region_prefix_filter
from gongxin.registry.services import StaleEdit

# The kinds built here; QUALIFIED batches belong to the qualification module.
ITEM_KINDS = (CatalogueKind.FUNCTIONS, CatalogueKind.SERVICES)
VISIBLE = (CatalogueStatus.PUBLISHED, CatalogueStatus.SUPERSEDED)
FIRST_YEAR = 2000  # the earliest catalogues of government function transfer (2010s) come after
FUNCTION_FIELDS = ("code", "name", "department_name", "mode", "legal_basis", "description")
SERVICE_FIELDS = ("code", "name", "category_id", "department_name", "description")


# --- helpers -------------------------------------------------------------------------------------


def item_model(kind: str):
    return TransferableFunction if kind == CatalogueKind.FUNCTIONS else PurchasableService


def item_fields(kind: str) -> tuple[str, ...]:
    return FUNCTION_FIELDS if kind == CatalogueKind.FUNCTIONS else SERVICE_FIELDS


def items_of(catalogue: Catalogue) -> QuerySet:
    """The catalogue's items in code order, numeric codes naturally (2 before 10)."""
    qs = item_model(catalogue.kind).objects.filter(catalogue=catalogue)
    if catalogue.kind == CatalogueKind.SERVICES:
        qs = qs.select_related("category")
    return qs.order_by(Length("code"), "code")


def _snapshot(item) -> dict:
    fields = FUNCTION_FIELDS if isinstance(item, TransferableFunction) else SERVICE_FIELDS
    return {f: getattr(item, f) for f in fields}


def require_manager(actor, catalogue: Catalogue) -> None:
    if not officer_manages(actor, catalogue.region_prefix):
        raise NotAllowed(_("Only the civil-affairs authority of this jurisdiction may do this."))


def lock_for_change(catalogue: Catalogue, expected_version: int | None, *, draft: bool = True) -> Catalogue:
    locked = Catalogue.objects.select_for_update(of=("self",)).select_related("region").get(pk=catalogue.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("This catalogue was changed since you opened it (now: %(status)s, %(n)s item(s)); "
                          "reload the page and check it again.")
                        % {"status": locked.get_status_display(), "n": items_of(locked).count()})
    if draft and locked.status != CatalogueStatus.DRAFT:
        raise NotAllowed(_("“%(title)s” is %(status)s and can no longer be changed; create a new batch instead.")
                         % {"title": locked.title, "status": locked.get_status_display()})
    return locked


def bump_version(catalogue: Catalogue) -> None:
    Catalogue.objects.filter(pk=catalogue.pk).update(version=F("version") + 1)
    catalogue.version += 1


# --- catalogue services --------------------------------------------------------------------------


@transaction.atomic
def catalogue_create(*, actor, kind: str, region: Region, year: int, title: str) -> Catalogue:
    """A new draft batch: the next batch number of (kind, region). Submitting the same draft twice
    (a double click) returns the first: an untouched draft of the same kind, region, year and
    title is not created again."""
    if kind not in ITEM_KINDS:
        raise ValidationError({"kind": _("Choose the transferable functions or the purchasable services catalogue.")})
    if not officer_manages(actor, region.prefix):
        raise NotAllowed(_("Only the civil-affairs authority of this jurisdiction may do this."))
    title = title.strip()
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("Enter a year between %(first)d and %(last)d.")
                               % {"first": FIRST_YEAR, "last": timezone.localdate().year + 1}})
    same = Catalogue.objects.filter(kind=kind, region=region, year=year, title=title,
                                    status=CatalogueStatus.DRAFT, created_by=actor, version=1).first()
    if same is not None:
        return same
    batch = (Catalogue.objects.filter(kind=kind, region=region).aggregate(m=Max("batch"))["m"] or 0) + 1
    catalogue = Catalogue(kind=kind, region=region, region_prefix=region.prefix, year=year, batch=batch,
                          title=title, created_by=actor)
    catalogue.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            catalogue.save(force_insert=True)
    except IntegrityError:
        # Another officer took this batch number a moment ago.
        raise ValidationError(_("Another batch of this catalogue was created at the same time; try again.")) from None
    audit_record(actor=actor, action="procurement.catalogue_create", obj=catalogue, after={
        "kind": kind, "region": region.code, "year": year, "batch": batch, "title": title})
    return catalogue


@transaction.atomic
def catalogue_publish(*, actor, catalogue: Catalogue, expected_version: int) -> Catalogue:
    """Publish a draft batch; the batch of the same kind and jurisdiction in force until now
    becomes SUPERSEDED. An empty catalogue is refused."""
    require_manager(actor, catalogue)
    locked = lock_for_change(catalogue, expected_version)
    if not items_of(locked).exists():
        raise NotAllowed(_("The catalogue has no items: add or import them before publishing."))
    today = timezone.localdate()
    previous = list(Catalogue.objects.select_for_update()
                    .filter(kind=locked.kind, region=locked.region, status=CatalogueStatus.PUBLISHED)
                    .exclude(pk=locked.pk))
    for old in previous:
        old.status, old.version = CatalogueStatus.SUPERSEDED, old.version + 1
        old.save(update_fields=["status", "version"])
        audit_record(actor=actor, action="procurement.catalogue_supersede", obj=old,
                     before={"status": CatalogueStatus.PUBLISHED},
                     after={"status": CatalogueStatus.SUPERSEDED, "by": locked.pk})
    locked.status, locked.published_on, locked.version = CatalogueStatus.PUBLISHED, today, locked.version + 1
    locked.full_clean(validate_constraints=False)
    locked.save(update_fields=["status", "published_on", "version"])
    audit_record(actor=actor, action="procurement.catalogue_publish", obj=locked,
                 before={"status": CatalogueStatus.DRAFT},
                 after={"status": CatalogueStatus.PUBLISHED, "published_on": today, "items": items_of(locked).count(),
                        "supersedes": [old.pk for old in previous]})
    return locked


@transaction.atomic
def catalogue_delete(*, actor, catalogue: Catalogue, expected_version: int) -> None:
    """Delete a draft batch and its items. Published batches are history and stay."""
    require_manager(actor, catalogue)
    locked = lock_for_change(catalogue, expected_version)
    count = items_of(locked).count()
    audit_record(actor=actor, action="procurement.catalogue_delete", obj=locked, before={
        "kind": locked.kind, "region": locked.region_id, "batch": locked.batch, "title": locked.title,
        "items": count})
    locked.delete()


# --- item services -------------------------------------------------------------------------------


def _check_code_free(catalogue: Catalogue, code: str, exclude_pk: int | None = None) -> None:
    qs = item_model(catalogue.kind).objects.filter(catalogue=catalogue, code=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"code": _("The catalogue already has an item numbered %(code)s.") % {"code": code}})


def _clean_values(kind: str, values: dict) -> dict:
    allowed = item_fields(kind)
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown item fields {sorted(unknown)}")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if kind == CatalogueKind.FUNCTIONS and cleaned.get("mode") not in (None, *TransferMode.values):
        raise ValidationError({"mode": _("Choose transfer, authorize or entrust.")})
    if kind == CatalogueKind.SERVICES and "category_id" in cleaned and \
            not ServiceCategory.objects.filter(pk=cleaned["category_id"]).exists():
        raise ValidationError({"category": _("Unknown service category %(code)s.") % {"code": cleaned["category_id"]}})
    return cleaned


def _item_add(*, actor, catalogue: Catalogue, kind: str, values: dict):
    require_manager(actor, catalogue)
    locked = lock_for_change(catalogue, None)
    if locked.kind != kind:
        raise ValueError("item kind does not match the catalogue")
    values = _clean_values(kind, values)
    _check_code_free(locked, values.get("code", ""))
    item = item_model(kind)(catalogue=locked, **values)
    item.full_clean(validate_constraints=False)
    item.save(force_insert=True)
    bump_version(locked)
    catalogue.version = locked.version
    audit_record(actor=actor, action="procurement.catalogue_item_add", obj=item,
                 after={"catalogue": locked.pk, **_snapshot(item)})
    return item


def _item_update(*, actor, item, expected_version: int, values: dict):
    catalogue = item.catalogue
    require_manager(actor, catalogue)
    locked = lock_for_change(catalogue, expected_version)
    item = item_model(locked.kind).objects.select_for_update().get(pk=item.pk)
    values = _clean_values(locked.kind, values)
    if "code" in values:
        _check_code_free(locked, values["code"], exclude_pk=item.pk)
    before = _snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    after = _snapshot(item)
    if after == before:
        return item  # nothing changed: a resubmitted form is not a new edit
    item.full_clean(validate_constraints=False)
    item.save(update_fields=[f for f in values if before[f] != after[f]])
    bump_version(locked)
    audit_record(actor=actor, action="procurement.catalogue_item_update", obj=item,
                 before={k: v for k, v in before.items() if v != after[k]},
                 after={k: v for k, v in after.items() if v != before[k]})
    return item


def _item_delete(*, actor, item, expected_version: int) -> None:
    catalogue = item.catalogue
    require_manager(actor, catalogue)
    locked = lock_for_change(catalogue, expected_version)
    before = _snapshot(item)
    audit_record(actor=actor, action="procurement.catalogue_item_delete", obj=item,
                 before={"catalogue": locked.pk, **before})
    item.delete()
    bump_version(locked)


@transaction.atomic
def function_add(*, actor, catalogue: Catalogue, code: str, name: str, department_name: str, mode: str,
                 legal_basis: str = "", description: str = "") -> TransferableFunction:
    """Add a transferable function to a draft catalogue of functions."""
    return _item_add(actor=actor, catalogue=catalogue, kind=CatalogueKind.FUNCTIONS, values={
        "code": code, "name": name, "department_name": department_name, "mode": mode, "legal_basis": legal_basis,
        "description": description})


@transaction.atomic
def function_update(*, actor, item: TransferableFunction, expected_version: int, **values) -> TransferableFunction:
    """Change a function of a draft catalogue; ``expected_version`` is the catalogue's."""
    return _item_update(actor=actor, item=item, expected_version=expected_version, values=values)


@transaction.atomic
def function_delete(*, actor, item: TransferableFunction, expected_version: int) -> None:
    _item_delete(actor=actor, item=item, expected_version=expected_version)


@transaction.atomic
def service_add(*, actor, catalogue: Catalogue, code: str, name: str, category: ServiceCategory | str,
                department_name: str = "", description: str = "") -> PurchasableService:
    """Add a purchasable service to a draft catalogue of services."""
    category_id = category.pk if isinstance(category, ServiceCategory) else category
    return _item_add(actor=actor, catalogue=catalogue, kind=CatalogueKind.SERVICES, values={
        "code": code, "name": name, "category_id": category_id, "department_name": department_name,
        "description": description})


@transaction.atomic
def service_update(*, actor, item: PurchasableService, expected_version: int, **values) -> PurchasableService:
    """Change a service of a draft catalogue; ``expected_version`` is the catalogue's."""
    if "category" in values:
        category = values.pop("category")
        values["category_id"] = category.pk if isinstance(category, ServiceCategory) else category
    return _item_update(actor=actor, item=item, expected_version=expected_version, values=values)


@transaction.atomic
def service_delete(*, actor, item: PurchasableService, expected_version: int) -> None:
    _item_delete(actor=actor, item=item, expected_version=expected_version)


@dataclass(frozen=True)
class ItemServices:
    add: object
    update: object
    delete: object


def item_services(kind: str) -> ItemServices:
    """The add/update/delete services of a catalogue kind's items, for callers (the item pages)
    that handle both kinds with one form flow."""
    if kind == CatalogueKind.FUNCTIONS:
        return ItemServices(function_add, function_update, function_delete)
    return ItemServices(service_add, service_update, service_delete)


# --- selectors -----------------------------------------------------------------------------------


@dataclass
class PublicFilters:
    kind: str = ""
    region: str = ""  # a region code; its subtree
    year: int | None = None
    q: str = ""


def _item_match(q: str) -> Q:
    """Catalogues with an item whose name, code or department contains ``q``. icontains, not the
    registry's full-text index: catalogues hold hundreds of items and 2-character words
    (养老, 评估) are the common query."""
    functions = TransferableFunction.objects.filter(catalogue=OuterRef("pk")).filter(
        Q(name__icontains=q) | Q(department_name__icontains=q) | Q(code=q))
    services = PurchasableService.objects.filter(catalogue=OuterRef("pk")).filter(
        Q(name__icontains=q) | Q(department_name__icontains=q) | Q(code=q) | Q(category__name__icontains=q))
    return Q(title__icontains=q) | Q(Exists(functions)) | Q(Exists(services))


def catalogues_public(kind: str = "", region_prefix: str | None = None, q: str = "",
                      year: int | None = None) -> QuerySet[Catalogue]:
    """Published and superseded batches (anyone may read them), newest first, each with its
    number of items; ``q`` searches the titles and the item names."""
    qs = Catalogue.objects.filter(status__in=VISIBLE, kind__in=[kind] if kind else ITEM_KINDS)
    if region_prefix:
        qs = qs.filter(region_prefix_filter("region_prefix", region_prefix))
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(_item_match(q))
    return (qs.select_related("region")
            .annotate(function_count=Count("functions", distinct=True), service_count=Count("services", distinct=True))
            .order_by("-published_on", "-year", "-batch", "-pk"))


def items_matching(catalogues: list[Catalogue], q: str, per_catalogue: int = 3) -> dict[int, tuple[int, list]]:
    """For a page of catalogues: how many items match ``q`` and the first few of them (two
    queries per kind, not one per catalogue)."""
    found: dict[int, tuple[int, list]] = {}
    for kind in ITEM_KINDS:
        ids = [c.pk for c in catalogues if c.kind == kind]
        if not ids or not q:
            continue
        model = item_model(kind)
        match = Q(name__icontains=q) | Q(department_name__icontains=q) | Q(code=q)
        if kind == CatalogueKind.SERVICES:
            match |= Q(category__name__icontains=q)
        counts = dict(model.objects.filter(match, catalogue_id__in=ids).values_list("catalogue_id")
                      .annotate(n=Count("pk")).values_list("catalogue_id", "n"))
        firsts: dict[int, list] = {}
        # The first few per catalogue in one query: a window numbering each catalogue's matches.
        rank = Window(RowNumber(), partition_by=[F("catalogue_id")], order_by=[Length("code").asc(), F("code").asc()])
        for item in (model.objects.filter(match, catalogue_id__in=ids).annotate(rank=rank)
                     .filter(rank__lte=per_catalogue).order_by("catalogue_id", "rank")
                     .only("catalogue_id", "code", "name")):
            firsts.setdefault(item.catalogue_id, []).append(item)
        for pk in ids:
            if counts.get(pk):
                found[pk] = (counts[pk], firsts.get(pk, []))
    return found


def public_regions() -> list[tuple[str, str]]:
    """The jurisdictions that have published a catalogue of functions or services (the public
    filter offers only those)."""
    rows = (Catalogue.objects.filter(status__in=VISIBLE, kind__in=ITEM_KINDS)
            .values_list("region_id", "region__name").distinct().order_by("region_id"))
    return list(rows)


def public_years() -> list[int]:
    return list(Catalogue.objects.filter(status__in=VISIBLE, kind__in=ITEM_KINDS)
                .values_list("year", flat=True).distinct().order_by("-year"))


def catalogues_managed(actor) -> QuerySet[Catalogue]:
    """Every batch (drafts included) of the officer's jurisdiction subtree; an administrator's
    are all; anyone else gets a 404."""
    prefix = officer_prefix(actor)
    if prefix is None:
        raise Http404(_("No such page."))
    return (Catalogue.objects.filter(region_prefix_filter("region_prefix", prefix), kind__in=ITEM_KINDS)
            .select_related("region", "created_by")
            .annotate(function_count=Count("functions", distinct=True), service_count=Count("services", distinct=True))
            .order_by("region_id", "kind", "-batch"))


def catalogue_may_manage(actor, catalogue: Catalogue) -> bool:
    return officer_manages(actor, catalogue.region_prefix)


def catalogue_get(actor, pk: int, *, manage: bool = False) -> Catalogue:
    """One catalogue of functions or services. Published and superseded batches are public;
    a draft exists only for the officers who manage its jurisdiction (anyone else: 404, no
    existence leak). ``manage`` requires the actor to manage it whatever its status."""
    catalogue = Catalogue.objects.select_related("region").filter(pk=pk, kind__in=ITEM_KINDS).first()
    if catalogue is None:
        raise Http404(_("No such catalogue."))
    manager = catalogue_may_manage(actor, catalogue)
    if (manage or catalogue.status == CatalogueStatus.DRAFT) and not manager:
        raise Http404(_("No such catalogue."))
    return catalogue


def catalogue_item_get(actor, catalogue: Catalogue, item_pk: int):
    """An item of a catalogue the actor manages (the catalogue comes from catalogue_get)."""
    if not catalogue_may_manage(actor, catalogue):
        raise Http404(_("No such item."))
    item = item_model(catalogue.kind).objects.filter(catalogue=catalogue, pk=item_pk).first()
    if item is None:
        raise Http404(_("No such item."))
    item.catalogue = catalogue
    return item


def catalogue_superseded_by_publishing(catalogue: Catalogue) -> Catalogue | None:
    """The batch that publishing ``catalogue`` would supersede (for the confirmation page)."""
    return (Catalogue.objects.filter(kind=catalogue.kind, region_id=catalogue.region_id,
                                     status=CatalogueStatus.PUBLISHED).exclude(pk=catalogue.pk)
            .order_by("-published_on", "-batch").first())


def _ancestors(region_code: str) -> list[str]:
    """The region and the regions above it, nearest first: 440402, 440400, 440000, 100000."""
    codes = [region_code, region_code[:4] + "00", region_code[:2] + "0000", "100000"]
    return list(dict.fromkeys(codes))


def current_catalogue(kind: str, region_code: str) -> Catalogue | None:
    """The batch in force for a region: the published one of the region itself, or else of the
    nearest region above it (a district without its own catalogue follows its city's)."""
    codes = _ancestors(region_code)
    found = list(Catalogue.objects.filter(kind=kind, region_id__in=codes, status=CatalogueStatus.PUBLISHED)
                 .select_related("region").order_by("-published_on", "-batch"))
    if not found:
        return None
    return min(found, key=lambda c: codes.index(c.region_id))


def services_in_force(region_code: str) -> QuerySet[PurchasableService]:
    """The purchasable services a purchaser of ``region_code`` may choose from: the items of the
    services catalogue in force there, with their category (one query)."""
    current = current_catalogue(CatalogueKind.SERVICES, region_code)
    if current is None:
        return PurchasableService.objects.none()
    return (PurchasableService.objects.filter(catalogue=current).select_related("category", "catalogue")
            .order_by(Length("code"), "code"))


def category_tree(counts: dict[str, int] | None = None) -> list[dict]:
    """The service categories as a two-level tree, with the number of items per category when
    ``counts`` (category code -> items) is given; a parent counts its children's."""
    counts = counts or {}
    nodes: dict[str, dict] = {}
    roots: list[dict] = []
    for cat in ServiceCategory.objects.order_by("code"):
        node = {"code": cat.code, "name": cat.name, "count": counts.get(cat.code, 0), "children": []}
        nodes[cat.code] = node
        if cat.parent_id and cat.parent_id in nodes:
            nodes[cat.parent_id]["children"].append(node)
            nodes[cat.parent_id]["count"] += node["count"]
        else:
            roots.append(node)
    return roots
