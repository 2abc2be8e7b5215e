from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongxin.core.audit import audit_record
from gongxin.core.exports import export_filename, export_job_get
from gongxin.core.models import ExportJob
from gongxin.core.site import safe_next
from gongxin.core.uploads import download_response


def page_not_found(request, exception):
    return render(request, "404.html", {"reason": ""}, status=404)


@login_required
@require_GET
def export_status(request, job_id):
    """The page that waits for an export: progress while it runs, the download when done.
    HTMX polls the same view for the progress fragment."""
    job = export_job_get(actor=request.user, job_id=job_id)
    template = "core/export_progress.html" if request.headers.get("HX-Request") else "core/export_status.html"
    return render(request, template, {"job": job, "back": safe_next(request, request.GET.get("next"))})


@login_required
@require_GET
def export_download(request, job_id):
    job = export_job_get(actor=request.user, job_id=job_id)
    if job.purged_at:
        raise Http404(_("This export's file was deleted at the end of its retention period; export it again."))
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("This export is not ready."))
    audit_record(actor=request.user, action="export.download", obj=job)
    return download_response(job.file, export_filename(job), fallback=export_filename(job, language="en"))
