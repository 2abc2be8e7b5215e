"""Public verification of credit reports (/credit/verify/): enter the code printed on a report
and see what was issued under it, and optionally check a PDF against the recorded SHA-256.

Only a report's own code finds it: nothing here lists reports or says whether an organization
has any. An uploaded PDF is hashed in memory and dropped with the request."""

from __future__ import annotations

import hashlib

from django import forms
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.core.uploads import body_exceeds
from gongxin.credit.forms import BootstrapForm
from gongxin.credit.models import CreditCategory, CreditList
from gongxin.credit.reports import CODE_LENGTH, code_is_wellformed, normalize_code, report_by_code
from gongxin.registry.models import CreditStatus

# A credit report is a few hundred kilobytes; anything much larger is not one.
MAX_UPLOAD = 5 * 1024 * 1024


class CodeForm(BootstrapForm):
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=40,
                           help_text=gettext_lazy("The 16 characters printed on the report (spaces and dashes "
                                                  "are ignored)."))

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not code_is_wellformed(code):
            raise forms.ValidationError(
                _("A verification code has %(n)d characters from digits 2–9 and letters without I, L and O.")
                % {"n": CODE_LENGTH})
        return code


class _InMemoryUpload(MemoryFileUploadHandler):
    """Keep the upload in memory whatever FILE_UPLOAD_MAX_MEMORY_SIZE says: the request size is
    checked against MAX_UPLOAD before the body is read, and nothing is written to disk."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True


@require_GET
def verify(request):
    """The form; a submitted code goes to its page."""
    form = CodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("credit:verify_detail", code=form.cleaned_data["code"])
    return render(request, "credit/verify/form.html", {"form": form}, status=400 if form.errors else 200)


@csrf_exempt  # re-applied below, after the upload handler is set (Django's documented pattern)
@require_http_methods(["GET", "POST"])
def verify_detail(request, code: str):
    if request.method == "POST":
        if body_exceeds(request, MAX_UPLOAD):
            report = report_by_code(code)
            if report is None:
                return _not_found(request, code)
            return _detail(request, report, error=_("The file is larger than %(mb)d MB: it is not a credit report "
                                                    "issued here.") % {"mb": MAX_UPLOAD // (1024 * 1024)},
                           status=413, read_body=False)
        request.upload_handlers = [_InMemoryUpload(request)]
    return _verify_detail(request, code)


@csrf_protect
def _verify_detail(request, code: str):
    report = report_by_code(code)
    if report is None:
        return _not_found(request, code)
    if normalize_code(code) != code:
        return redirect("credit:verify_detail", code=report.code)
    if request.method != "POST":
        return _detail(request, report)
    upload = request.FILES.get("file")
    if upload is None:
        return _detail(request, report, error=_("Choose the PDF file to check."), status=400)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return _detail(request, report, checked={"name": upload.name, "size": upload.size, "sha256": digest.hexdigest(),
                                             "match": digest.hexdigest() == report.sha256})


def _detail(request, report, *, error: str = "", checked: dict | None = None, status: int = 200,
            read_body: bool = True):
    summary = report.summary or {}
    counts = summary.get("counts", {})
    status_key = summary.get("credit_status", "normal")
    entries = [{**e, "list_label": CreditList(e["list"]).label if e.get("list") in CreditList.values else e.get("list")}
               for e in summary.get("entries", [])]
    information = [(CreditCategory(k).label, v) for k, v in counts.get("information", {}).items()
                   if k in CreditCategory.values]
    response = render(request, "credit/verify/detail.html", {
        "report": report, "org": report.organization, "entries": entries, "counts": counts,
        "information": information, "error": error, "checked": checked, "max_mb": MAX_UPLOAD // (1024 * 1024),
        "status_label": CreditStatus("" if status_key == "normal" else status_key).label
        if status_key in ("normal", *CreditStatus.values) else status_key,
    }, status=status)
    # An oversized body (read_body=False) is left unread for the server to deal with. No
    # "Connection: close" header: hop-by-hop headers belong to the server, and wsgiref (behind
    # runserver) refuses one from the application by failing the whole response with a 500.
    return response


def _not_found(request, code: str):
    return render(request, "credit/verify/not_found.html", {"code": normalize_code(code)[:40],
                                                            "form": CodeForm()}, status=404)
