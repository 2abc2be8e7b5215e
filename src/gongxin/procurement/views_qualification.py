"""Pages of the qualified organizations catalogue (/procurement/qualification/): the public
catalogue by batch with its Excel download; the organization's own page (the eligibility
checks with their reasons before it applies, the application form, its history); the
officer's queue, an application's page with the checks run again and the decision, the
publication of a batch and the withdrawal of an organization (both behind a confirmation).

Reads through procurement.qualification's selectors (404 outside the actor's scope), writes
through its services; these views translate between forms and those calls."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.core.downloads import attachment
from gongxin.core.exports import export_request, export_started
from gongxin.core.forms import form_add_errors
from gongxin.core.spreadsheets import ColumnWidths, workbook
from gongxin.credit.forms import BootstrapForm
from gongxin.procurement import qualification as qual
from gongxin.procurement.eligibility import qualification_decision
from gongxin.procurement.models import QualificationStatus
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import paginate

PUBLIC_EXPORT_LIMIT = 20_000  # the whole catalogue of a province fits; a bigger ask is refused


# --- forms -----------------------------------------------------------------------------------


class PublicFilterForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Name or code"), required=False, max_length=64)
    # Any region code (not only those with a catalogue): a link from another page may name one.
    region = forms.RegexField(label=gettext_lazy("Jurisdiction"), required=False, regex=r"^\d{6}$")
    batch = forms.TypedChoiceField(label=gettext_lazy("Batch"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_choices = [("", _("All jurisdictions"))] + [(r.code, r.name) for r in qual.qualified_regions()]
        self.fields["batch"].choices = [("", _("All batches"))] + [
            (c.pk, c.title) for c in qual.qualified_batches()]

    def filters(self) -> qual.PublicFilters:
        d = self.cleaned_data
        return qual.PublicFilters(q=d["q"].strip(), region=d["region"], batch=d["batch"])


class ApplyForm(BootstrapForm):
    region = forms.ChoiceField(label=gettext_lazy("Catalogue of"))
    service_areas = forms.CharField(
        label=gettext_lazy("Services the organization can undertake"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The transferable functions and purchasable services you can take on, e.g. "
                               "industry standards, training, statistics and surveys."))
    statement = forms.CharField(label=gettext_lazy("Statement"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=gettext_lazy("Your capacity: staff, experience, earlier projects."))
    confirm = forms.BooleanField(label=gettext_lazy("The information given is true, and the organization accepts "
                                                    "the supervision of the registration authority."))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class DecideForm(BootstrapForm):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", gettext_lazy("Approve: enters the catalogue with the next batch")),
        ("reject", pgettext_lazy("qualification", "Reject"))])
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Required for a rejection; the organization reads it."))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is rejected: the organization reads it."))
        return data


class PublishForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    expected_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(label=gettext_lazy("Publish this batch now. Its organizations become visible to "
                                                    "everyone as qualified."))


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("E.g. listed on the abnormal-activity list on 2026-03-02; the "
                                                    "organization reads it."))
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=gettext_lazy("Withdraw the organization from the catalogue."))


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _refused(request, exc: ValidationError, to: str, **kwargs):
    for message in exc.messages:
        messages.error(request, message)
    return redirect(to, **kwargs)


# --- public ----------------------------------------------------------------------------------


@require_GET
def qualified_public(request):
    """The catalogue by batch (newest first), searchable by name or code from 2 characters."""
    form = PublicFilterForm(request.GET)
    page, error, status = None, "", 200
    if form.is_valid():
        try:
            page = paginate(request, qual.qualified_public(form.filters()))
        except qual.QueryTooShort as exc:
            error, status = exc.messages[0], 400
    else:
        error, status = _("Please correct the search form."), 400
    batches = _batch_counts(list(qual.qualified_batches()))
    return render(request, "procurement/qualification/public.html", {
        "form": form, "page": page, "error": error, "batches": batches, "total": sum(b.n for b in batches),
        "querystring": _querystring(request)}, status=status)


def _batch_counts(batches):
    from django.db.models import Count

    counts = dict(qual.qualified_public(qual.PublicFilters()).order_by().values_list("catalogue_id")
                  .annotate(n=Count("id")))
    for b in batches:
        b.n = counts.get(b.pk, 0)
    return batches


@require_GET
def qualified_export(request):
    """The public catalogue as filtered on the page, as an Excel file made at once: it is public
    and small (Zhuhai's five batches hold 244 organizations), so no worker round trip."""
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Please correct the search form."), status=400, content_type="text/plain; charset=utf-8")
    try:
        qs = qual.qualified_public(form.filters())
    except qual.QueryTooShort as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain; charset=utf-8")
    if qs.count() > PUBLIC_EXPORT_LIMIT:
        return HttpResponse(_("Too many rows: narrow the search."), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.BytesIO()
    # The shared workbook keeps a name starting with "=" as text (no formula injection) and a
    # text like external:\\host\share as text (no link).
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(str(_("Qualified organizations"))[:31])
    headers = qual.export_headers()
    sheet.write_row(0, 0, headers, book.add_format({"bold": True}))
    sheet.freeze_panes(1, 0)
    widths = ColumnWidths()
    widths.add(headers)
    for n, row in enumerate(qual.export_rows(qs), start=1):
        sheet.write_row(n, 0, row)
        widths.add(row)
    widths.apply(sheet)
    book.close()
    return attachment(buffer.getvalue(), gettext_lazy("Qualified organizations"))


# --- the organization ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def qualification_mine(request):
    """The organization's standing: its open application or catalogue entry, the checks as of
    today with the reason for each, the application form (enabled only when every check passes)
    and its history."""
    history = list(qual.my_applications(request.user))
    org = request.user.organization
    regions = qual.jurisdictions_for(org)
    codes = {r.code: r for r in regions}
    chosen = request.POST.get("region") or request.GET.get("region") or (regions[0].code if regions else "")
    region = codes.get(chosen) or (regions[0] if regions else None)
    form = ApplyForm(request.POST or None, regions=regions, initial={"region": region.code if region else ""})
    if request.method == "POST" and region is not None and form.is_valid():
        d = form.cleaned_data
        try:
            app = qual.qualification_apply(actor=request.user, organization=org, region=region,
                                           service_areas=d["service_areas"], statement=d["statement"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Your application to the catalogue of %(region)s has been submitted "
                                        "(%(status)s).") % {"region": app.region.name,
                                                            "status": app.get_status_display()})
            return redirect("procurement:qualification_mine")
    decision = qualification_decision(org, region.code, timezone.localdate()) if region else None
    current = next((a for a in history if a.region_id == (region.code if region else None)
                    and a.status in qual.OPEN_STATUSES), None)
    return render(request, "procurement/qualification/mine.html", {
        "org": org, "region": region, "regions": regions, "decision": decision, "current": current,
        "history": history, "form": form, "can_apply": bool(decision and decision.eligible and current is None),
    })


# --- the officer -----------------------------------------------------------------------------


@login_required
@require_GET
def qualification_queue(request):
    status = request.GET.get("status", "")
    status = status if status in QualificationStatus.values else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in qual.QUEUE_SORTS else "submitted"
    q = request.GET.get("q", "").strip()[:64]
    counts = qual.queue_counts(request.user)
    error, code = "", 200
    try:
        qs = qual.officer_queue(request.user, status=status, q=q, sort=sort)
    except qual.QueryTooShort as exc:
        error, code = exc.messages[0], 400
        qs = qual.officer_queue(request.user, status=status, sort=sort)
    page = paginate(request, qs)
    return render(request, "procurement/qualification/queue.html", {
        "page": page, "status": status, "sort": sort, "q": q, "error": error, "counts": counts,
        "total": sum(counts.values()),
        "statuses": [(value, label, counts.get(value, 0)) for value, label in QualificationStatus.choices],
        "sorts": [(k, v[0]) for k, v in qual.QUEUE_SORTS.items()], "querystring": _querystring(request),
        "approved": counts.get(QualificationStatus.APPROVED, 0),
    }, status=code)


@require_POST
@login_required
def qualification_queue_export(request):
    qual.require_officer(request.user)
    params = {k: request.POST.get(k, "")[:64] for k in qual.QUEUE_EXPORT_KEYS}
    job = export_request(actor=request.user, kind="qualification_queue", params=params)
    return export_started(request, job)


def _detail(request, app, *, form=None, status=200):
    live = qualification_decision(app.organization, app.region_id, timezone.localdate())
    return render(request, "procurement/qualification/detail.html", {
        "app": app, "org": app.organization, "stored": qual.stored_decision(app), "live": live,
        "form": form or (DecideForm(initial={"version": app.version, "decision": "approve" if live.eligible
                                             else "reject"}) if app.status == QualificationStatus.SUBMITTED else None),
        "can_withdraw": app.status in (QualificationStatus.PUBLISHED, QualificationStatus.APPROVED),
    }, status=status)


@login_required
@require_GET
def qualification_detail(request, pk: int):
    return _detail(request, qual.application_get(actor=request.user, pk=pk))


@require_POST
@login_required
def qualification_decide(request, pk: int):
    app = qual.application_get(actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, app, form=form)
    d = form.cleaned_data
    try:
        decided = qual.qualification_decide(actor=request.user, application=app, approve=d["decision"] == "approve",
                                            reason=d["reason"], expected_version=d["version"])
    except (NotAllowed, StaleEdit) as exc:
        return _refused(request, exc, "procurement:qualification_detail", pk=pk)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _detail(request, app, form=form)
    messages.success(request, _("%(org)s: %(status)s.") % {"org": decided.organization.name,
                                                            "status": decided.get_status_display()})
    return redirect("procurement:qualification_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def qualified_publish(request):
    """Confirmation: "N approved applications will form batch K of <jurisdiction>"."""
    prefix = qual.require_officer(request.user)
    code = request.POST.get("region") or request.GET.get("region") or ""
    if not code and not request.user.jurisdiction_id:
        # An administrator (or an officer without a jurisdiction) picks the jurisdiction first.
        from gongxin.core.models import Region
        from gongxin.registry.selectors import region_prefix_filter

        waiting = (Region.objects.filter(code__in=qual.QualificationApplication.objects.filter(
            region_prefix_filter("region_prefix", prefix), status=QualificationStatus.APPROVED).values("region_id"))
            .order_by("code"))
        return render(request, "procurement/qualification/publish_choose.html", {"regions": waiting})
    region = qual.publish_region(request.user, code)
    approved = list(qual.approved_waiting(region))
    batch = qual.next_batch(region)
    today = timezone.localdate()
    form = PublishForm(request.POST or None, initial={
        "year": today.year, "title": qual.default_batch_title(region, batch), "expected_count": len(approved)})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                catalogue = qual.qualified_batch_publish(actor=request.user, region=region, year=d["year"],
                                                         title=d["title"], expected_count=d["expected_count"])
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("%(title)s is published with %(n)d organizations.")
                                 % {"title": catalogue.title, "n": len(approved)})
                return redirect(f"{_url('procurement:qualified_public')}?batch={catalogue.pk}")
    return render(request, "procurement/qualification/publish.html", {
        "region": region, "approved": approved, "batch": batch, "form": form})


def _url(name: str, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_withdraw(request, pk: int):
    app = qual.application_get(actor=request.user, pk=pk)
    form = WithdrawForm(request.POST or None, initial={"version": app.version})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                qual.qualification_withdraw(actor=request.user, application=app, reason=d["reason"],
                                            expected_version=d["version"])
            except (NotAllowed, StaleEdit) as exc:
                return _refused(request, exc, "procurement:qualification_detail", pk=pk)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("%(org)s is withdrawn from the catalogue.")
                                 % {"org": app.organization.name})
                return redirect("procurement:qualification_detail", pk=pk)
    return render(request, "procurement/qualification/withdraw.html", {
        "app": app, "org": app.organization, "form": form,
        "allowed": app.status in (QualificationStatus.PUBLISHED, QualificationStatus.APPROVED)})
