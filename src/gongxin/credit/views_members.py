"""Member credit file pages (/credit/members/): the association's list, form, member page, delete
confirmation, Excel import and export; the officers' read-only overview of the associations in
their jurisdiction and each association's files.

Scope: an association's users see and change their own association's files; officers of the
association's jurisdiction and administrators read them; an organization user of another kind
of organization gets a page saying who keeps such files; everyone else signed in gets 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.accounts.models import Role
from gongxin.core.downloads import attachment
from gongxin.core.forms import DateField, IdentityField, form_add_errors
from gongxin.core.spreadsheets import too_large
from gongxin.core.uploads import body_exceeds
from gongxin.credit import member_files as mf
from gongxin.credit.member_files_xlsx import MAX_ROWS, MAX_UPLOAD_BYTES, export_workbook, template_workbook
from gongxin.credit.models import MemberCreditFile, ReputationRating
from gongxin.registry.selectors import officer_prefix
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXTAREA = {"class": "form-control", "rows": 3, "maxlength": mf.TEXT_LIMIT}
PROBLEMS_SHOWN = 200  # a wholly wrong file can have thousands; the first ones tell what is wrong


class MemberFileForm(forms.Form):
    """The association's form; ``values_clean`` in the service does the checks that matter."""

    member_name = IdentityField(label=gettext_lazy("Member name"), max_length=mf.NAME_LIMIT,
                                  widget=forms.TextInput(attrs={"class": "form-control"}))
    member_uscc = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40,
                                  help_text=gettext_lazy("18 characters; enterprises' codes start with 9."),
                                  widget=forms.TextInput(attrs={"class": "form-control font-monospace",
                                                                "autocomplete": "off"}))
    practice = forms.CharField(label=gettext_lazy("Practice"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    tax = forms.CharField(label=gettext_lazy("Tax payment"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    law_abidance = forms.CharField(label=gettext_lazy("Law-abidance"), required=False,
                                   widget=forms.Textarea(attrs=TEXTAREA))
    financial_management = forms.CharField(label=gettext_lazy("Financial management"), required=False,
                                           widget=forms.Textarea(attrs=TEXTAREA))
    rating = forms.ChoiceField(label=gettext_lazy("Reputation rating"), choices=ReputationRating.choices,
                               widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    rated_on = DateField(label=gettext_lazy("Rated on"),
                               widget=forms.DateInput(attrs={"class": "form-control", "type": "date"},
                                                      format="%Y-%m-%d"))
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TEXTS = ["practice", "tax", "law_abidance", "financial_management"]

    def __init__(self, *args, file: MemberCreditFile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if file is not None:
            # The code is the file's key: a wrong code is corrected by deleting the file and
            # creating it again, so the history of one member never moves to another.
            self.fields["member_uscc"].disabled = True
            self.fields["member_uscc"].help_text = _("The code identifies the file and cannot be changed.")

    def clean_member_uscc(self):
        # The service's check, run here too so a bad code is reported with the other fields' errors.
        try:
            return mf.member_uscc_clean(self.cleaned_data["member_uscc"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["member_uscc"]) from None

    def text_fields(self):
        return [self[n] for n in self.TEXTS]


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm: delete this member's credit file. This cannot be undone."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": gettext_lazy("Tick the box to confirm the deletion.")})


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.FileInput(attrs={
                               "class": "form-control", "accept": ".xlsx," + XLSX}),
                           error_messages={"required": gettext_lazy("Choose the Excel file to upload.")})


# --------------------------------------------------------------------------- helpers


def _keeper(request):
    """The association the signed-in user keeps files for; 404 for anyone else."""
    association = mf.keeper_of(request.user)
    if association is None:
        raise Http404
    return association


def _bound(request, files=False) -> tuple:
    """A form's data: bound on POST even when empty (``request.POST or None`` would show an
    empty submission as a fresh form, without its errors)."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


def _reader(user) -> bool:
    return officer_prefix(user) is not None


def _filters(request) -> dict:
    rating = request.GET.get("rating", "")
    sort = request.GET.get("sort", "name")
    return {"q": request.GET.get("q", "")[:100].strip(), "rating": rating if rating in ReputationRating.values else "",
            "sort": sort if sort in mf.SORTS else "name"}


def _querystring(request, drop=("page",)) -> str:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


def _files_page(request, association, *, keeper: bool):
    filters = _filters(request)
    base = mf.files_visible(request.user).filter(association=association)
    page = paginate(request, mf.files_search(base, **filters))
    counts = mf.rating_counts(base)
    return render(request, "credit/members/list.html", {
        "association": association, "keeper": keeper, "page": page, "counts": counts,
        "rating_counts": [(value, label, counts[value]) for value, label in ReputationRating.choices],
        "ratings": ReputationRating.choices, "sorts": _sort_choices(), **filters,
        "querystring": _querystring(request), "rating_querystring": _querystring(request, ("page", "rating"))})


def _sort_choices():
    return [("name", _("Member name")), ("-name", _("Member name, reversed")),
            ("rating", _("Rating, A first")), ("-rating", _("Rating, D first")),
            ("-rated_on", _("Rated on, newest first")), ("rated_on", _("Rated on, oldest first")),
            ("-updated", _("Last updated"))]




def _export(request, association):
    filters = _filters(request)
    files = mf.files_search(mf.files_visible(request.user).filter(association=association), **filters)
    return attachment(export_workbook(files.select_related(None)),
                      _("Member credit files of %(association)s") % {"association": association.name})


# --------------------------------------------------------------------------- pages


@require_GET
@login_required
def member_list(request):
    """/credit/members/: the association's own files; the officer's overview of associations."""
    user = request.user
    association = mf.keeper_of(user)
    if association is not None:
        return _files_page(request, association, keeper=True)
    if _reader(user):
        q = request.GET.get("q", "")[:100].strip()
        sort = request.GET.get("sort", "name")
        page = paginate(request, mf.associations_keeping_files(actor=user, q=q, sort=sort))
        return render(request, "credit/members/overview.html", {
            "page": page, "q": q, "sort": sort, "querystring": _querystring(request),
            "ratings": ReputationRating.values})
    if user.role == Role.ORG_USER:
        return render(request, "credit/members/not_association.html", {"org": user.organization})
    raise Http404


@require_GET
@login_required
def member_assoc(request, uscc: str):
    """/credit/members/assoc/<uscc>/: one association's files, read-only, for its officers."""
    association = mf.association_get(actor=request.user, uscc_code=uscc)
    return _files_page(request, association, keeper=False)


@require_GET
@login_required
def member_assoc_export(request, uscc: str):
    return _export(request, mf.association_get(actor=request.user, uscc_code=uscc))


@require_GET
@login_required
def member_export(request):
    return _export(request, _keeper(request))


@require_GET
@login_required
def member_detail(request, pk: int):
    """One member's file: the member-facing page the association prints or shows to the member."""
    f = mf.file_get(actor=request.user, pk=pk)
    return render(request, "credit/members/detail.html", {
        "file": f, "association": f.association, "keeper": mf.keeper_of(request.user) is not None,
        "printed_on": timezone.localdate(), "sections": [
            (_("Practice"), f.practice), (_("Tax payment"), f.tax), (_("Law-abidance"), f.law_abidance),
            (_("Financial management"), f.financial_management)]})


def _save(request, association, form, file=None):
    data = form.cleaned_data
    try:
        saved = mf.member_file_save(
            actor=request.user, association=association,
            member_uscc=file.member_uscc if file else data["member_uscc"],
            data={n: data.get(n) for n in mf.CONTENT_FIELDS},
            expected_version=data.get("version") if file else None, new=file is None)
    except StaleEdit as exc:
        form.add_error(None, exc.messages)
        return None
    except ValidationError as exc:
        form_add_errors(form, exc)
        return None
    if file is None:
        messages.success(request, _("The credit file of %(name)s has been created.") % {"name": saved.member_name})
    elif saved.version == file.version:
        messages.info(request, _("Nothing was changed."))
    else:
        messages.success(request, _("The credit file of %(name)s has been saved.") % {"name": saved.member_name})
    return redirect("credit:member_detail", pk=saved.pk)


@require_http_methods(["GET", "POST"])
@login_required
def member_new(request):
    association = _keeper(request)
    form = MemberFileForm(*_bound(request), initial={"rated_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        response = _save(request, association, form)
        if response is not None:
            return response
    return render(request, "credit/members/form.html", {"form": form, "association": association, "file": None})


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request, pk: int):
    association = _keeper(request)
    f = mf.file_get(actor=request.user, pk=pk)
    initial = {n: getattr(f, n) for n in mf.CONTENT_FIELDS} | {"member_uscc": f.member_uscc, "version": f.version}
    form = MemberFileForm(*_bound(request), initial=initial, file=f)
    if request.method == "POST" and form.is_valid():
        response = _save(request, association, form, f)
        if response is not None:
            return response
    return render(request, "credit/members/form.html", {"form": form, "association": association, "file": f})


@require_http_methods(["GET", "POST"])
@login_required
def member_delete(request, pk: int):
    association = _keeper(request)
    f = mf.file_get(actor=request.user, pk=pk)
    form = DeleteForm(*_bound(request), initial={"version": f.version})
    if request.method == "POST" and form.is_valid():
        try:
            mf.member_file_delete(actor=request.user, file=f, expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The credit file of %(name)s has been deleted.") % {"name": f.member_name})
            return redirect("credit:members")
    return render(request, "credit/members/delete.html", {"form": form, "file": f, "association": association})


@require_GET
@login_required
def member_import_template(request):
    _keeper(request)
    return attachment(template_workbook(), gettext_lazy("Member credit file import template"), dated=False)


@require_http_methods(["GET", "POST"])
@login_required
def member_import(request):
    """Upload an Excel file of members: all rows saved, or none and every problem listed."""
    association = _keeper(request)
    if body_exceeds(request, MAX_UPLOAD_BYTES):
        # Refused before Django receives (and spools to disk) the upload.
        refused = mf.ImportRefused(too_large(MAX_UPLOAD_BYTES).messages[0])
        return render(request, "credit/members/import.html", {
            "form": ImportForm(), "association": association, "refused": refused, "problems": [],
            "more_problems": 0, "max_rows": MAX_ROWS, "ratings": ReputationRating.choices, "filename": ""},
            status=413)
    form = ImportForm(*_bound(request, files=True))
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            result = mf.member_files_import(actor=request.user, association=association,
                                            upload=form.cleaned_data["file"])
        except mf.ImportRefused as exc:
            refused = exc
        else:
            messages.success(request, _(
                "Imported %(rows)s rows: %(created)s new files, %(updated)s updated, %(unchanged)s unchanged.")
                % {"rows": result.rows, "created": result.created, "updated": result.updated,
                   "unchanged": result.unchanged})
            return redirect("credit:members")
    problems = refused.problems if refused else []
    upload = request.FILES.get("file")
    return render(request, "credit/members/import.html", {
        "form": form, "association": association, "refused": refused, "problems": problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - PROBLEMS_SHOWN), "max_rows": MAX_ROWS,
        "ratings": ReputationRating.choices, "filename": upload.name if upload else ""})
