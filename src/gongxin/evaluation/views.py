"""The officer's grade pages (/evaluation/): the grades of the organizations in the
jurisdiction (filters, search, paging, Excel export), recording a concluded grade (the
organization named by its code) and cancelling one behind a confirmation. No public page: the
grade shows on the organization's profile."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.core.exports import export_request, export_started
from gongxin.core.forms import form_add_errors
from gongxin.evaluation import selectors as sel
from gongxin.evaluation import services
from gongxin.evaluation.forms import CancelForm, EvaluationForm
from gongxin.evaluation.models import Grade
from gongxin.registry.applications import NotAllowed
from gongxin.registry.views import paginate


@login_required
@require_GET
def grade_list(request):
    sel.require_officer(request.user)
    today = timezone.localdate()
    filters = sel.GradeFilters.from_query(request.GET)
    error, status = "", 200
    try:
        qs = sel.officer_grades(request.user, filters, today)
    except sel.QueryTooShort as exc:
        error, status = str(exc), 400
        filters.q = ""
        qs = sel.officer_grades(request.user, filters, today)
    page = paginate(request, qs)
    for e in page.object_list:
        e.state = sel.state_of(e, today)
    return render(request, "evaluation/list.html", {
        "page": page, "filters": filters, "error": error, "today": today,
        "grades": [(g.value, g.label) for g in reversed(Grade)], "states": list(sel.STATES.items()),
        "sorts": [(k, v[0]) for k, v in sel.SORTS.items()], "querystring": urlencode(filters.params()),
    }, status=status)


@require_POST
@login_required
def grade_export(request):
    sel.require_officer(request.user)
    params = {k: request.POST.get(k, "")[:64] for k in ("grade", "state", "q", "sort")}
    job = export_request(actor=request.user, kind="evaluation_grades", params=params)
    return export_started(request, job)


@login_required
@require_http_methods(["GET", "POST"])
def grade_new(request):
    sel.require_officer(request.user)
    form = EvaluationForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")[:18]})
    org = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = sel.organization_for_officer(request.user, d["uscc"])
        if org is None:
            form.add_error("uscc", _("No organization with this code is registered in your jurisdiction."))
        else:
            try:
                evaluation = services.evaluation_record(
                    actor=request.user, organization=org, grade=d["grade"], decided_on=d["decided_on"],
                    deciding_body=d["deciding_body"], certificate_number=d["certificate_number"])
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("%(org)s: grade %(grade)s recorded, valid until %(until)s.") % {
                    "org": org.name, "grade": evaluation.get_grade_display(), "until": evaluation.valid_until})
                return redirect(f"{reverse('evaluation:list')}?q={org.uscc}")
    return render(request, "evaluation/form.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def grade_cancel(request, pk: int):
    evaluation = sel.evaluation_get(actor=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_cancel(actor=request.user, evaluation=evaluation, reason=form.cleaned_data["reason"])
        except NotAllowed as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("evaluation:list")
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The grade of %(org)s is cancelled.") % {"org": evaluation.organization.name})
            return redirect("evaluation:list")
    return render(request, "evaluation/cancel.html", {"evaluation": evaluation, "org": evaluation.organization,
                                                      "form": form, "today": timezone.localdate()})
