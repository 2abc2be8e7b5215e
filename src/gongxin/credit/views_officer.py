"""The registration officer's credit workspace (/credit/manage/): the worklist of notices,
listings and removal applications; a list entry's page with its procedure steps; an
organization's credit page (penalties, records, the rule engine on demand); banned illegal
organizations; the Excel import of credit records; and the joint-punishment exports.

Reads go through credit.selectors_officer (scope: 404 outside the jurisdiction, and for anyone
who is not an officer), writes through credit.services; these views only translate between
forms and those calls."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.core.downloads import attachment, set_filename
from gongxin.core.exports import export_started
from gongxin.core.forms import form_add_errors
from gongxin.core.models import Region
from gongxin.core.spreadsheets import too_large
from gongxin.core.uploads import body_exceeds
from gongxin.credit import engine, exports, imports, services
from gongxin.credit import selectors_officer as sel
from gongxin.credit.forms import (
    BannedForm,
    ConfirmListingForm,
    ExportForm,
    ImportForm,
    PenaltyForm,
    RecordForm,
    RemovalDecideForm,
    ResolveForm,
    WithdrawForm,
)
from gongxin.credit.models import CreditList, ListingStatus, RemovalStatus
from gongxin.credit.rules import GROUNDS
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import authority_name
from gongxin.registry.search import QueryTooLong
from gongxin.registry.selectors import SearchFilters, organization_search
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import no_results_hint, paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- worklist --------------------------------------------------------------------------------


@login_required
@require_GET
def worklist(request):
    """Four tabs: notices in their objection period, notices awaiting listing, removal
    applications awaiting verification, listed entries (filtered, searched). Counts on each."""
    sel.require_officer(request.user)
    today = timezone.localdate()
    tab = request.GET.get("tab", "")
    tab = tab if tab in sel.TABS else sel.TABS[0]
    sorts = sel.SORTS[tab]
    sort = request.GET.get("sort", "")
    sort = sort if sort in sorts else next(iter(sorts))
    filters = sel.ListedFilters.from_query(request.GET)
    page = paginate(request, sel.worklist(request.user, tab, today, sort, filters))
    if tab == "removals":
        sel.with_days_left(page.object_list, today, "due_on")
    else:
        for entry in page.object_list:
            # A ground found on several pieces of evidence shows once (A1 for two missed reports).
            entry.ground_codes = sorted({g.ground for g in entry.grounds.all()})
            entry.authority_label = authority_name(entry.authority)
        if tab == "objection":
            sel.with_days_left(page.object_list, today, "objection_due")
    params = {"tab": tab, "sort": sort}
    if tab == "listed":
        params.update({k: v for k, v in vars(filters).items() if v})
    grounds = [(code, f"{code} {g.title}") for code, g in GROUNDS.items()
               if not filters.list or g.list == filters.list]
    return render(request, "credit/manage/worklist.html", {
        "tab": tab, "sort": sort, "sorts": [(k, v[0]) for k, v in sorts.items()], "page": page,
        "counts": sel.worklist_counts(request.user, today), "filters": filters, "grounds": grounds,
        "lists": CreditList.choices, "querystring": urlencode(params), "today": today,
    })


# --- a list entry ----------------------------------------------------------------------------


def _ground_rows(entry) -> list[dict]:
    return [{"code": g.ground, "title": GROUNDS[g.ground].title, "basis": GROUNDS[g.ground].basis, "facts": g.facts_display,
             "applies_from": g.applies_from, "needs_rectification": g.needs_rectification, "cured_on": g.cured_on,
             "added_on": g.added_on, "removed_on": g.removed_on} for g in entry.grounds.all()]


def _entry_page(request, entry, *, confirm_form=None, withdraw_form=None, decide_forms=None, status=200):
    today = timezone.localdate()
    noticed = entry.status == ListingStatus.NOTICED
    needs_answer = bool(entry.objection) and not entry.objection_answer
    if noticed:
        sel.with_days_left([entry], today, "objection_due")
    version = {"version": entry.version}
    applications = list(entry.removal_applications.all())
    open_grounds = sum(1 for g in entry.grounds.all() if g.needs_rectification and g.cured_on is None)
    decide_forms = decide_forms or {}
    for app in applications:
        if app.status == RemovalStatus.PENDING:
            app.form = decide_forms.get(app.pk) or RemovalDecideForm(initial=version, prefix=f"app{app.pk}")
            sel.with_days_left([app], today, "due_on")
    eligible, why_not = services.removal_eligibility(entry, today)
    removed, remaining = services.grounds_after_removal(entry, today)
    return render(request, "credit/manage/entry_detail.html", {
        "removal_removed": sorted({g.ground for g in removed}),
        "removal_remaining": [{"code": g.ground, "title": GROUNDS[g.ground].title, "facts": g.facts_display}
                              for g in remaining],
        "remaining_until": services.remaining_until(entry),
        "entry": entry, "org": entry.organization, "grounds": _ground_rows(entry), "today": today,
        "period_over": noticed and today > entry.objection_due, "needs_answer": needs_answer,
        "confirm_form": confirm_form or ConfirmListingForm(initial=version, needs_answer=needs_answer),
        "withdraw_form": withdraw_form or WithdrawForm(initial=version),
        "applications": applications, "open_grounds": open_grounds,
        "removal_eligible": eligible, "removal_why_not": why_not,
    }, status=status)


@login_required
@require_GET
def entry_detail(request, pk: int):
    return _entry_page(request, sel.entry_get(actor=request.user, pk=pk))


def _refused(request, exc: ValidationError, pk: int):
    """A stale version or a step no longer allowed: say so and show the entry as it is now."""
    for message in exc.messages:
        messages.error(request, message)
    return redirect("credit:manage_entry", pk=pk)


@login_required
@require_POST
def entry_confirm(request, pk: int):
    entry = sel.entry_get(actor=request.user, pk=pk)
    needs_answer = bool(entry.objection) and not entry.objection_answer
    form = ConfirmListingForm(request.POST, needs_answer=needs_answer)
    if form.is_valid():
        try:
            services.listing_confirm(actor=request.user, entry=entry, expected_version=form.cleaned_data["version"],
                                     answer=form.cleaned_data["answer"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("%(org)s has been put on the %(list)s.") % {
                "org": entry.organization.name, "list": CreditList(entry.list).label})
            return redirect("credit:manage_entry", pk=pk)
    return _entry_page(request, entry, confirm_form=form)


@login_required
@require_POST
def entry_withdraw(request, pk: int):
    entry = sel.entry_get(actor=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.listing_withdraw(actor=request.user, entry=entry, expected_version=form.cleaned_data["version"],
                                      reason=form.cleaned_data["reason"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The notice has been withdrawn: the organization is not listed."))
            return redirect("credit:manage_entry", pk=pk)
    return _entry_page(request, entry, withdraw_form=form)


@login_required
@require_POST
def removal_decide(request, pk: int):
    app = sel.removal_get(actor=request.user, pk=pk)
    entry_pk = app.entry_id
    form = RemovalDecideForm(request.POST, prefix=f"app{pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.removal_decide(actor=request.user, application=app, approve=d["decision"] == "approve",
                                    reasons=d["reasons"], rectified_confirmed=d["rectified_confirmed"],
                                    expected_version=d["version"])
        except StaleEdit as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("credit:manage_entry", pk=entry_pk)
        except NotAllowed as exc:
            return _refused(request, exc, entry_pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            if d["decision"] == "approve":
                messages.success(request, _("Application approved: the organization has been removed from the list."))
            else:
                messages.success(request, _("Application refused; the reasons are shown to the organization."))
            return redirect("credit:manage_entry", pk=entry_pk)
    return _entry_page(request, sel.entry_get(actor=request.user, pk=entry_pk), decide_forms={app.pk: form})


# --- organizations ---------------------------------------------------------------------------


@login_required
@require_GET
def org_lookup(request):
    """Find an organization of the jurisdiction by name, pinyin initials or code."""
    sel.require_officer(request.user)
    q = request.GET.get("q", "").strip()
    page, error, status = None, "", 200
    if q:
        try:
            page = paginate(request, organization_search(actor=request.user, q=q, filters=SearchFilters(),
                                                         managed_only=True))
        except QueryTooLong as exc:
            error, status = str(exc), 400
    return render(request, "credit/manage/org_lookup.html",
                  {"q": q, "page": page, "error": error, "querystring": urlencode({"q": q}),
                   "hint": no_results_hint(page, q)}, status=status)


@login_required
@require_GET
def org_credit(request, uscc: str):
    """One organization's credit page: list entries, then penalties and credit records, each
    paged on its own (one organization of the demo has 356 records); a record is marked as
    ended on its own page (record_resolve), not through a form on every row."""
    org = sel.organization_get(actor=request.user, uscc=uscc)
    credit = sel.organization_credit(org)
    penalties = paginate(request, credit.penalties, param="penalties")
    records = paginate(request, credit.records, param="records")

    def others(param):
        query = request.GET.copy()
        query.pop(param, None)
        return query.urlencode()

    return render(request, "credit/manage/org_credit.html", {
        "org": org, "credit": credit, "penalties": penalties, "records": records,
        "penalties_qs": others("penalties"), "records_qs": others("records")})


@login_required
@require_http_methods(["GET", "POST"])
def penalty_new(request, uscc: str):
    org = sel.organization_get(actor=request.user, uscc=uscc)
    form = PenaltyForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            penalty = services.penalty_decide(
                actor=request.user, organization=org, kind=d["kind"], decision_number=d["decision_number"],
                facts=d["facts"], legal_basis=d["legal_basis"], decided_on=d["decided_on"],
                deciding_body=d["deciding_body"], amount=d["amount"], suspension_from=d["suspension_from"],
                suspension_until=d["suspension_until"], is_public=d["is_public"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Penalty %(number)s has been recorded; the credit rules have run for the "
                                        "organization.") % {"number": penalty.decision_number})
            return redirect("credit:manage_org", uscc=org.uscc)
    return render(request, "credit/manage/penalty_form.html", {"org": org, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request, uscc: str):
    org = sel.organization_get(actor=request.user, uscc=uscc)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_create(actor=request.user, organization=org, kind=d["kind"], title=d["title"],
                                   content=d["content"], source=d["source"], deciding_body=d["deciding_body"],
                                   occurred_on=d["occurred_on"], valid_until=d["valid_until"],
                                   is_public=d["is_public"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The credit record has been entered; the credit rules have run for the "
                                        "organization."))
            return redirect("credit:manage_org", uscc=org.uscc)
    return render(request, "credit/manage/record_form.html", {"org": org, "form": form})


def run_summary(counts: dict) -> str:
    return _("%(noticed)d new notice(s), %(grounds_added)d ground(s) added to open entries, %(rectified)d "
             "ground(s) rectified, %(listed)d listed, %(removed)d removed.") % {
        k: counts.get(k, 0) for k in ("noticed", "grounds_added", "rectified", "listed", "removed")}


@login_required
@require_POST
def org_evaluate(request, uscc: str):
    org = sel.organization_get(actor=request.user, uscc=uscc)
    run = engine.evaluate(organization=org, actor=request.user)
    messages.info(request, _("The credit rules have run for this organization: %(summary)s")
                  % {"summary": run_summary(run.counts)})
    return redirect("credit:manage_org", uscc=org.uscc)


@login_required
@require_http_methods(["GET", "POST"])
def record_resolve(request, pk: int):
    """Mark a credit record as ended (its condition no longer holds): the record and the form."""
    record = sel.record_get(actor=request.user, pk=pk)
    form = ResolveForm(request.POST or None, prefix=f"r{pk}", initial={"resolved_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_resolve(actor=request.user, record=record,
                                        resolved_on=form.cleaned_data["resolved_on"])
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("“%(title)s” is recorded as ended on %(date)s.") % {
                    "title": record.title, "date": form.cleaned_data["resolved_on"].isoformat()})
                return redirect("credit:manage_org", uscc=record.organization.uscc)
        else:
            messages.error(request, _("Enter the date the record's condition ended."))
        return redirect("credit:manage_record_resolve", pk=pk)
    return render(request, "credit/manage/record_resolve.html", {"record": record, "org": record.organization,
                                                                 "form": form})


# --- banned illegal organizations --------------------------------------------------------------


@login_required
@require_GET
def banned_list(request):
    page = paginate(request, sel.banned_scoped(request.user))
    return render(request, "credit/manage/banned_list.html", {"page": page, "querystring": ""})


@login_required
@require_http_methods(["GET", "POST"])
def banned_new(request):
    regions = list(sel.region_choices(request.user))
    form = BannedForm(request.POST or None, regions=regions, initial_region=request.user.jurisdiction_id or "")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.banned_record(actor=request.user, region=Region.objects.get(code=d["region"]), name=d["name"],
                                   decision_number=d["decision_number"], banned_on=d["banned_on"], facts=d["facts"],
                                   legal_basis=d["legal_basis"], uscc=d["uscc"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The banning of %(name)s has been recorded.") % {"name": d["name"]})
            return redirect("credit:manage_banned")
    return render(request, "credit/manage/banned_form.html", {"form": form})


# --- Excel import ----------------------------------------------------------------------------


def _import_page(request, form, result=None, status=200):
    return render(request, "credit/manage/import.html", {
        "form": form, "result": result, "max_rows": imports.MAX_ROWS, "columns": imports.COLUMNS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_index(request):
    sel.require_officer(request.user)
    if body_exceeds(request, imports.MAX_UPLOAD_BYTES):
        # Refused before Django parses (and spools to disk) the upload.
        form = ImportForm({}, {})
        form.is_valid()
        form.errors["file"] = form.error_class(too_large(imports.MAX_UPLOAD_BYTES).messages)
        return _import_page(request, form, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.records_import(actor=request.user, upload=form.cleaned_data["file"])
        except imports.FileRefused as exc:
            form.add_error("file", exc.messages)
        else:
            if not result.ok:
                return _import_page(request, form, result)
            messages.success(request, _(
                "%(created)d credit record(s) imported for %(orgs)d organization(s); %(skipped)d row(s) were already "
                "imported. Credit rules: %(summary)s") % {
                "created": result.created, "orgs": result.organizations, "skipped": result.skipped,
                "summary": run_summary(result.engine)})
            return redirect("credit:manage_import")
    return _import_page(request, form)


@login_required
@require_GET
def import_template(request):
    sel.require_officer(request.user)
    return attachment(imports.template_workbook(), gettext_lazy("Credit record import template"), dated=False)


# --- joint-punishment exports ----------------------------------------------------------------


def _exports_page(request, form, status=200):
    counts = {value: exports.listed_entries(request.user, value).count() for value in CreditList.values}
    return render(request, "credit/manage/exports.html", {
        "form": form, "counts": [(CreditList(k).label, v) for k, v in counts.items()],
        "total": sum(counts.values())}, status=status)


@login_required
@require_GET
def exports_index(request):
    sel.require_officer(request.user)
    return _exports_page(request, ExportForm())


@login_required
@require_POST
def export_download(request):
    sel.require_officer(request.user)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _exports_page(request, form, status=400)
    list_, fmt = form.cleaned_data["list"], form.cleaned_data["format"]
    if fmt == "xlsx":
        job = exports.export_request_listed(actor=request.user, list_=list_)
        return export_started(request, job)
    qs = exports.listed_entries(request.user, list_)
    count = qs.count()
    exports.export_audit(actor=request.user, fmt=fmt, list_=list_, count=count)
    language = translation.get_language()
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(qs, language=language), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(exports.json_stream(qs, list_=list_, count=count, language=language),
                                         content_type="application/json; charset=utf-8")
    return set_filename(response, CreditList(list_).label if list_ else gettext_lazy("Credit lists"), fmt)
