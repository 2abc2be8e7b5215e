"""The registration authority's review of filed branches: every branch of an organization in
its jurisdiction, hidden ones marked with the reason, and hiding or publishing an entry again
(each with a confirmation step). Branch filing itself is in views_applications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.core.forms import form_add_errors
from gongxin.registry import applications as svc
from gongxin.registry.forms import BranchHideForm, BranchUnhideForm
from gongxin.registry.selectors import branches_managed
from gongxin.registry.views import paginate


@require_GET
@login_required
def branch_manage(request, uscc: str):
    org, branches = branches_managed(actor=request.user, uscc=uscc)
    page = paginate(request, branches)
    return render(request, "registry/branches_manage.html", {
        "org": org, "page": page, "hidden_count": branches.filter(hidden_at__isnull=False).count()})


def _confirm(request, uscc: str, pk: int, *, hide: bool):
    org, branches = branches_managed(actor=request.user, uscc=uscc)
    branch = get_object_or_404(branches, pk=pk)
    form_class = BranchHideForm if hide else BranchUnhideForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if hide:
                svc.branch_hide(actor=request.user, branch=branch, reason=form.cleaned_data["reason"])
                messages.success(request, _("Hidden: the entry no longer shows on the public profile."))
            else:
                svc.branch_unhide(actor=request.user, branch=branch)
                messages.success(request, _("Published again on the public profile."))
            return redirect("registry:branch_manage", uscc=org.uscc)
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(request, "registry/branch_confirm.html", {"org": org, "branch": branch, "form": form,
                                                            "hide": hide})


@require_http_methods(["GET", "POST"])
@login_required
def branch_hide(request, uscc: str, pk: int):
    return _confirm(request, uscc, pk, hide=True)


@require_http_methods(["GET", "POST"])
@login_required
def branch_unhide(request, uscc: str, pk: int):
    return _confirm(request, uscc, pk, hide=False)
