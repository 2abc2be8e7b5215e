"""The transferable-functions and purchasable-services catalogues (/procurement/catalogues/):
the public index, a catalogue's page and its Excel export; the officer's workspace to build a
draft batch (items one by one or from Excel), publish it and delete a draft.

Reads go through procurement.catalogues' selectors (drafts: 404 outside the jurisdiction),
writes through its services; these views translate between forms and those calls."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.core.downloads import attachment, content_disposition, filename
from gongxin.core.forms import IdentityField, form_add_errors
from gongxin.core.models import Region
from gongxin.core.spreadsheets import too_large
from gongxin.core.uploads import body_exceeds
from gongxin.credit.forms import BootstrapForm, ImportForm
from gongxin.procurement import catalogue_imports as imports
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import (
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    Department,
    ServiceCategory,
    TransferMode,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.selectors import officer_prefix, region_prefix_filter
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_CHOICES = [(k.value, k.label) for k in cat.ITEM_KINDS]
KIND_SLUG = {CatalogueKind.FUNCTIONS: "functions", CatalogueKind.SERVICES: "services"}


def qualified_url() -> str:
    """The qualified-organizations catalogue is another module's page; link to it by name when
    it is mounted, by its path otherwise."""
    try:
        return reverse("procurement:qualified_public")
    except NoReverseMatch:
        return "/procurement/qualification/"


def _querystring(request, drop=("page",)) -> str:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


# --- forms ---------------------------------------------------------------------------------------


class IndexFilterForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("Catalogue"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Jurisdiction"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [("", _("All catalogues")), *KIND_CHOICES]
        self.fields["region"].choices = [("", _("All jurisdictions")), *cat.public_regions()]
        self.fields["year"].choices = [("", _("Any year")), *[(y, str(y)) for y in cat.public_years()]]


ITEM_SORTS = {"code": (gettext_lazy("Number"), (Length("code"), "code")),
              "name": (gettext_lazy("Name"), ("name", "code")),
              "department": (gettext_lazy("Responsible department"), ("department_name", Length("code"), "code"))}


class CatalogueForm(BootstrapForm):
    kind = forms.ChoiceField(label=gettext_lazy("Catalogue"), choices=KIND_CHOICES)
    region = forms.ChoiceField(label=gettext_lazy("Jurisdiction"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=cat.FIRST_YEAR)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, help_text=gettext_lazy(
        "As published, e.g. 珠海市政府购买服务指导目录（2026年）."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = officer_prefix(actor) or ""
        regions = Region.objects.filter(region_prefix_filter("code", prefix)).order_by("code")
        if not prefix:
            regions = regions.filter(level__lte=2)  # an administrator: provinces and cities, not 3,000 districts
        self.fields["region"].choices = [(r.code, ("\u3000" * max(r.level - 1, 0)) + r.name) for r in regions]
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year + 1
        self.fields["year"].initial = timezone.localdate().year
        self.fields["region"].initial = actor.jurisdiction_id


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FunctionItemForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=gettext_lazy("Number"), max_length=32)
    name = IdentityField(label=gettext_lazy("Function"), max_length=200)
    department_name = IdentityField(label=gettext_lazy("Responsible department"), max_length=128,
                                      widget=forms.TextInput(attrs={"list": "departments"}))
    mode = forms.ChoiceField(label=gettext_lazy("Transfer mode"), choices=TransferMode.choices)
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=300, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ServiceItemForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=gettext_lazy("Number"), max_length=32)
    name = IdentityField(label=gettext_lazy("Service"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"))
    department_name = IdentityField(label=gettext_lazy("Responsible department"), max_length=128, required=False,
                                      widget=forms.TextInput(attrs={"list": "departments"}))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for root in cat.category_tree():
            groups.append((f"{root['code']} {root['name']}", [(root["code"], f"{root['code']} {root['name']}")]
                           + [(c["code"], f"{c['code']} {c['name']}") for c in root["children"]]))
        self.fields["category"].choices = [("", "—"), *groups]

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _item_form(kind: str):
    return FunctionItemForm if kind == CatalogueKind.FUNCTIONS else ServiceItemForm


def _department_names(catalogue: Catalogue) -> list[str]:
    """Suggestions for the department field: the purchasing departments of the jurisdiction."""
    return list(Department.objects.filter(region_prefix_filter("region_prefix", catalogue.region_prefix))
                .values_list("name", flat=True).order_by("name")[:200])


# --- public --------------------------------------------------------------------------------------


@require_GET
def catalogue_index(request):
    form = IndexFilterForm(request.GET)
    page, status, rows = None, 200, []
    if form.is_valid():
        d = form.cleaned_data
        region = Region.prefix_of(d["region"]) if d["region"] else None
        page = paginate(request, cat.catalogues_public(kind=d["kind"], region_prefix=region, q=d["q"].strip(),
                                                       year=d["year"]))
        matches = cat.items_matching(list(page.object_list), d["q"].strip()) if d["q"].strip() else {}
        for c in page.object_list:
            count, first = matches.get(c.pk, (0, []))
            rows.append({"catalogue": c, "items": c.function_count if c.kind == CatalogueKind.FUNCTIONS
                         else c.service_count, "match_count": count, "matches": first})
    else:
        status = 400
    in_force = {kind: [c for c in cat.catalogues_public(kind=kind).filter(status=CatalogueStatus.PUBLISHED)[:6]]
                for kind in cat.ITEM_KINDS}
    return render(request, "procurement/catalogues/index.html", {
        "form": form, "page": page, "rows": rows, "querystring": _querystring(request),
        "qualified_url": qualified_url(), "in_force": in_force,
        "searching": form.is_valid() and any(form.cleaned_data.get(k) for k in ("q", "kind", "region", "year")),
        "q": form.cleaned_data.get("q", "").strip() if form.is_valid() else "",
    }, status=status)


def _item_filters(request, catalogue: Catalogue):
    """The catalogue page's filters: a word, a category (a subtree: A takes A01…A11) or a
    transfer mode, a sort."""
    q = request.GET.get("q", "").strip()[:64]
    category = request.GET.get("category", "").strip().upper()[:16]
    mode = request.GET.get("mode", "").strip()
    sort = request.GET.get("sort", "code")
    sort = sort if sort in ITEM_SORTS else "code"
    qs = cat.items_of(catalogue)
    if q:
        match = Q(name__icontains=q) | Q(department_name__icontains=q) | Q(code=q) | Q(description__icontains=q)
        if catalogue.kind == CatalogueKind.FUNCTIONS:
            match |= Q(legal_basis__icontains=q)
        qs = qs.filter(match)
    if catalogue.kind == CatalogueKind.SERVICES and category:
        qs = qs.filter(category__code__startswith=category)
    if catalogue.kind == CatalogueKind.FUNCTIONS and mode in TransferMode.values:
        qs = qs.filter(mode=mode)
    else:
        mode = ""
    return qs.order_by(*ITEM_SORTS[sort][1]), {"q": q, "category": category, "mode": mode, "sort": sort}


def _catalogue_context(request, catalogue: Catalogue) -> dict:
    qs, filters = _item_filters(request, catalogue)
    page = paginate(request, qs, per_page=50)
    context = {"catalogue": catalogue, "page": page, "filters": filters, "querystring": _querystring(request),
               "sorts": [(k, v[0]) for k, v in ITEM_SORTS.items()], "is_functions": catalogue.kind == "functions",
               "may_manage": cat.catalogue_may_manage(request.user, catalogue),
               "total": cat.items_of(catalogue).count()}
    base = {k: v for k, v in filters.items() if v and k not in ("category", "mode")}
    if catalogue.kind == CatalogueKind.SERVICES:
        counts = dict(cat.items_of(catalogue).order_by().values_list("category_id").annotate(n=Count("pk"))
                      .values_list("category_id", "n"))
        tree = [root for root in cat.category_tree(counts) if root["count"]]
        for root in tree:
            root["children"] = [c for c in root["children"] if c["count"]]
            root["url"] = "?" + urlencode({**base, "category": root["code"]})
            # Only the chosen heading unfolds: six headings and forty subheadings at once is a wall.
            root["open"] = bool(filters["category"]) and filters["category"].startswith(root["code"])
            for child in root["children"]:
                child["url"] = "?" + urlencode({**base, "category": child["code"]})
        context["tree"] = tree
        context["category_name"] = (ServiceCategory.objects.filter(pk=filters["category"])
                                    .values_list("name", flat=True).first() if filters["category"] else "")
    else:
        counts = dict(cat.items_of(catalogue).order_by().values_list("mode").annotate(n=Count("pk"))
                      .values_list("mode", "n"))
        context["modes"] = [{"value": v, "label": label, "count": counts.get(v, 0),
                             "url": "?" + urlencode({**base, "mode": v})} for v, label in TransferMode.choices]
    context["clear_url"] = "?" + urlencode(base)
    return context


@require_GET
def catalogue_detail(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk)
    context = _catalogue_context(request, catalogue)
    if catalogue.status == CatalogueStatus.SUPERSEDED:
        context["current"] = cat.current_catalogue(catalogue.kind, catalogue.region_id)
    context["qualified_url"] = qualified_url()
    return render(request, "procurement/catalogues/detail.html", context)


@require_GET
def catalogue_export(request, pk: int):
    """The items as an .xlsx workbook in the import format (hundreds of rows: written in the
    request, no background job)."""
    catalogue = cat.catalogue_get(request.user, pk)
    response = HttpResponse(imports.export_workbook(catalogue), content_type=XLSX)
    plain = f"catalogue-{catalogue.region_id}-{KIND_SLUG[catalogue.kind]}-{catalogue.year}-{catalogue.batch}.xlsx"
    response["Content-Disposition"] = content_disposition(filename(catalogue.title, "xlsx", dated=False), fallback=plain)
    return response


# --- officer: list, create, edit -------------------------------------------------------------------


@login_required
@require_GET
def catalogue_manage(request):
    qs = cat.catalogues_managed(request.user)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in CatalogueKind.values:
        qs = qs.filter(kind=kind)
    if status in CatalogueStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(request, "procurement/catalogues/manage.html", {
        "page": page, "querystring": _querystring(request), "kind": kind, "status": status,
        "kinds": KIND_CHOICES, "statuses": CatalogueStatus.choices})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_create(request):
    cat.catalogues_managed(request.user)  # 404 for anyone but an officer
    form = CatalogueForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            catalogue = cat.catalogue_create(actor=request.user, kind=d["kind"], region=Region.objects.get(code=d["region"]),
                                             year=d["year"], title=d["title"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Draft “%(title)s” (batch %(batch)d) created: add its items or import them "
                                        "from Excel.") % {"title": catalogue.title, "batch": catalogue.batch})
            return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return render(request, "procurement/catalogues/create.html", {"form": form})


@login_required
@require_GET
def catalogue_edit(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    context = _catalogue_context(request, catalogue)
    context["editable"] = catalogue.status == CatalogueStatus.DRAFT
    context["superseding"] = cat.catalogue_superseded_by_publishing(catalogue) if context["editable"] else None
    return render(request, "procurement/catalogues/edit.html", context)


def _refused(request, exc: ValidationError, catalogue: Catalogue):
    for message in exc.messages:
        messages.error(request, message)
    return redirect("procurement:catalogue_edit", pk=catalogue.pk)


def _draft_or_redirect(request, catalogue: Catalogue):
    """A published or superseded batch is frozen: say so on its page instead of a form."""
    if catalogue.status != CatalogueStatus.DRAFT:
        messages.error(request, _("“%(title)s” is %(status)s and can no longer be changed; create a new batch "
                                  "instead.") % {"title": catalogue.title, "status": catalogue.get_status_display()})
        return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_item_add(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    codes = [c for c in cat.items_of(catalogue).values_list("code", flat=True) if c.isdigit()]
    form = _item_form(catalogue.kind)(request.POST or None,
                                      initial={"code": str(max(map(int, codes)) + 1) if codes else "1"})
    if request.method == "POST" and form.is_valid():
        try:
            item = cat.item_services(catalogue.kind).add(actor=request.user, catalogue=catalogue, **form.values())
        except NotAllowed as exc:
            return _refused(request, exc, catalogue)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Item %(code)s “%(name)s” added.") % {"code": item.code, "name": item.name})
            if "another" in request.POST:
                return redirect("procurement:catalogue_item_add", pk=catalogue.pk)
            return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return render(request, "procurement/catalogues/item_form.html", {
        "catalogue": catalogue, "form": form, "item": None, "departments": _department_names(catalogue)})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_item_edit(request, pk: int, item_pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    item = cat.catalogue_item_get(request.user, catalogue, item_pk)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    initial = {f: getattr(item, f) for f in cat.item_fields(catalogue.kind)}
    if catalogue.kind == CatalogueKind.SERVICES:
        initial["category"] = initial.pop("category_id")
    form = _item_form(catalogue.kind)(request.POST or None, initial={**initial, "version": catalogue.version})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            if version is None:
                raise StaleEdit(_("The form was incomplete; reload the page and try again."))
            cat.item_services(catalogue.kind).update(actor=request.user, item=item, expected_version=version,
                                                     **form.values())
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, catalogue)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return render(request, "procurement/catalogues/item_form.html", {
        "catalogue": catalogue, "form": form, "item": item, "departments": _department_names(catalogue)})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_item_delete(request, pk: int, item_pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    item = cat.catalogue_item_get(request.user, catalogue, item_pk)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    form = VersionForm(request.POST or None, initial={"version": catalogue.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return redirect("procurement:catalogue_edit", pk=catalogue.pk)
        try:
            cat.item_services(catalogue.kind).delete(actor=request.user, item=item,
                                                     expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            return _refused(request, exc, catalogue)
        messages.success(request, _("Item %(code)s “%(name)s” deleted.") % {"code": item.code, "name": item.name})
        return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return render(request, "procurement/catalogues/item_delete.html", {
        "catalogue": catalogue, "item": item, "form": form})


# --- officer: import, template ---------------------------------------------------------------------


def _import_page(request, catalogue, form, result=None, status=200):
    return render(request, "procurement/catalogues/import.html", {
        "catalogue": catalogue, "form": form, "result": result, "max_rows": imports.MAX_ROWS,
        "columns": imports.columns_of(catalogue.kind), "kind_slug": KIND_SLUG[catalogue.kind]}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    if body_exceeds(request, imports.MAX_UPLOAD_BYTES):
        # Refused before Django parses (and spools to disk) the upload.
        form = ImportForm({}, {})
        form.is_valid()
        form.errors["file"] = form.error_class(too_large(imports.MAX_UPLOAD_BYTES).messages)
        return _import_page(request, catalogue, form, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.catalogue_import(actor=request.user, catalogue=catalogue,
                                              upload=form.cleaned_data["file"])
        except imports.FileRefused as exc:
            form.add_error("file", exc.messages)
        except NotAllowed as exc:
            return _refused(request, exc, catalogue)
        else:
            if not result.ok:
                return _import_page(request, catalogue, form, result, status=400)
            messages.success(request, _(
                "%(rows)d row(s) imported: %(created)d item(s) added, %(updated)d updated, %(unchanged)d already "
                "up to date.") % {"rows": result.rows, "created": result.created, "updated": result.updated,
                                  "unchanged": result.unchanged})
            return redirect("procurement:catalogue_edit", pk=catalogue.pk)
    return _import_page(request, catalogue, form, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def catalogue_template(request, kind: str):
    cat.catalogues_managed(request.user)  # 404 for anyone but an officer
    kinds = {v: k for k, v in KIND_SLUG.items()}
    if kind not in kinds:
        raise Http404(_("No such template."))
    title = _("%(catalogue)s import template") % {"catalogue": CatalogueKind(kinds[kind]).label}
    return attachment(imports.template_workbook(kinds[kind]), title, dated=False)


# --- officer: publish, delete --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_publish(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    form = VersionForm(request.POST or None, initial={"version": catalogue.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return redirect("procurement:catalogue_publish", pk=catalogue.pk)
        try:
            published = cat.catalogue_publish(actor=request.user, catalogue=catalogue,
                                              expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            return _refused(request, exc, catalogue)
        messages.success(request, _("“%(title)s” is published and in force.") % {"title": published.title})
        return redirect("procurement:catalogue_detail", pk=published.pk)
    return render(request, "procurement/catalogues/publish.html", {
        "catalogue": catalogue, "form": form, "items": cat.items_of(catalogue).count(),
        "superseding": cat.catalogue_superseded_by_publishing(catalogue)})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_delete(request, pk: int):
    catalogue = cat.catalogue_get(request.user, pk, manage=True)
    if (refused := _draft_or_redirect(request, catalogue)) is not None:
        return refused
    form = VersionForm(request.POST or None, initial={"version": catalogue.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return redirect("procurement:catalogue_delete", pk=catalogue.pk)
        try:
            cat.catalogue_delete(actor=request.user, catalogue=catalogue, expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            return _refused(request, exc, catalogue)
        messages.success(request, _("Draft “%(title)s” deleted.") % {"title": catalogue.title})
        return redirect("procurement:catalogue_manage")
    return render(request, "procurement/catalogues/delete.html", {
        "catalogue": catalogue, "form": form, "items": cat.items_of(catalogue).count()})
