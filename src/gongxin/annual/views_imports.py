"""The annual report import pages: upload form and template (officers, administrators), and the
page that waits on an import job and shows its result (its requester only)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.annual import imports
from gongxin.annual.models import ImportJob
from gongxin.core.downloads import attachment, filename
from gongxin.core.spreadsheets import too_large
from gongxin.core.spreadsheets.limits import size_text
from gongxin.core.uploads import body_exceeds, download_response

ERRORS_PER_PAGE = 50


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx, at most 50 MB and 100,000 rows of data)"),
        widget=forms.ClearableFileInput(attrs={
            "class": "form-control",
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))
    dry_run = forms.BooleanField(label=_("Only check the file, save nothing"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


def _importer(request):
    # Organization users, sponsors and the rest cannot learn the page exists.
    if not imports.may_import(request.user):
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def import_index(request):
    """Upload a file of annual reports; the template; the user's recent imports."""
    _importer(request)
    if body_exceeds(request, imports.MAX_UPLOAD_BYTES):
        # Refused before Django parses (and spools to disk) the upload.
        form = ImportForm({}, {})
        form.is_valid()
        form.errors["file"] = form.error_class(too_large(imports.MAX_UPLOAD_BYTES).messages)
        return render(request, "annual/import_index.html", {
            "form": form, "jobs": imports.import_jobs_recent(actor=request.user), **_limits()}, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_request(actor=request.user, upload=form.cleaned_data["file"],
                                         dry_run=form.cleaned_data["dry_run"], language=request.LANGUAGE_CODE)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("annual:import_job", job_id=job.id)
    return render(request, "annual/import_index.html", {
        "form": form, "jobs": imports.import_jobs_recent(actor=request.user), **_limits()})


def _limits() -> dict:
    return {"limits": imports.limits(), "upload_size": size_text(imports.MAX_UPLOAD_BYTES)}


@require_GET
@login_required
def import_template(request):
    _importer(request)
    return attachment(imports.template_workbook(), _("Annual report import template"), dated=False)


@require_GET
@login_required
def import_job(request, job_id):
    """The page that waits on an import: progress while it runs, then the result or the errors.
    HTMX polls the same view for the status fragment."""
    job = imports.import_job_get(actor=request.user, job_id=job_id)
    page = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")) if job.errors else None
    template = "annual/import_status.html" if request.headers.get("HX-Request") else "annual/import_job.html"
    return render(request, template, {
        "job": job, "page": page, "querystring": "",
        "previous": imports.import_previous(job) if job.status == ImportJob.Status.DONE else None,
    })


@require_GET
@login_required
def import_error_file(request, job_id):
    job = imports.import_job_get(actor=request.user, job_id=job_id)
    if not job.error_file:
        raise Http404(_("This import has no error file."))
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    title = _("%(name)s (errors marked)") % {"name": stem}
    return download_response(job.error_file, filename(title, "xlsx", dated=False))
