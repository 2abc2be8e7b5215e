"""Registration applications: the applicant's pages, the officer's worklist and decision page,
branch filing, and the registration certificate download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.core.audit import audit_record
from gongxin.core.confirm import Confirmation, confirmable, confirmation
from gongxin.core.forms import form_add_errors
from gongxin.core.models import Region
from gongxin.core.uploads import body_exceeds, download_response
from gongxin.core.workdays import workdays_left
from gongxin.core.worklists import Worklist, name_or_code_q
from gongxin.registry import applications as svc
from gongxin.registry.forms import APPLICATION_FORMS, BranchForm, DecisionForm, DocumentsForm
from gongxin.registry.models import (
    ApplicationDocument,
    ApplicationKind,
    ApplicationStatus,
    Organization,
    RegistrationApplication,
    authority_name,
)
from gongxin.registry.selectors import jurisdiction_q, officer_manages, region_prefix_filter
from gongxin.registry.views import paginate


def applications_visible(actor):
    """The applicant's own applications; an officer's jurisdiction's submitted ones; all for admins."""
    qs = RegistrationApplication.objects.select_related("organization", "registration_authority", "applicant")
    if actor.is_platform_admin:
        return qs
    if actor.role == Role.OFFICER:
        return qs.filter(region_prefix_filter("region_prefix", Region.prefix_of(actor.jurisdiction_id))).exclude(
            status=ApplicationStatus.DRAFT)
    return qs.filter(applicant=actor)


def application_get(actor, pk: int) -> RegistrationApplication:
    app = applications_visible(actor).filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


@require_GET
@login_required
def my_applications(request):
    user = request.user
    if user.role not in (Role.FOUNDER, Role.ORG_USER):
        raise Http404
    page = paginate(request, applications_visible(user).order_by("-created_at", "-id"))
    branches = user.organization.branches.all() if user.organization_id else []
    return render(request, "registry/applications_mine.html", {
        "page": page, "branches": branches, "branch_form": BranchForm() if user.organization_id else None})


@require_POST
@login_required
def branch_file(request):
    """An organization files a branch or representative office (no approval needed)."""
    user = request.user
    if user.role != Role.ORG_USER:
        raise Http404
    form = BranchForm(request.POST)
    if form.is_valid():
        try:
            svc.branch_file(actor=user, organization=user.organization, **form.cleaned_data)
            messages.success(request, _("Branch filed; it now shows on your public profile."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("registry:applications_mine")


@require_http_methods(["GET", "POST"])
@login_required
def application_new(request, kind: str, pk: int | None = None):
    """New application of ``kind``, or (with ``pk``) editing one's own draft."""
    user = request.user
    app = None
    if pk is not None:
        app = application_get(user, pk)
        if app.applicant_id != user.pk or app.status != ApplicationStatus.DRAFT:
            raise Http404
        kind = app.kind
    if kind not in APPLICATION_FORMS:
        raise Http404
    if kind == ApplicationKind.ESTABLISHMENT and user.role not in (Role.FOUNDER, Role.ORG_USER):
        raise Http404
    if kind != ApplicationKind.ESTABLISHMENT and user.role != Role.ORG_USER:
        raise Http404
    if body_exceeds(request, len(DOCUMENT_KINDS) * svc.MAX_DOCUMENT_BYTES):
        messages.error(request, _("The upload is too large: send documents of at most 10 MB each."))
        return redirect(request.path)
    form_class = APPLICATION_FORMS[kind]
    initial = {}
    if app is not None:
        initial = {**app.data, "version": app.version, "registration_authority": app.registration_authority_id}
        if isinstance(initial.get("founders"), list):
            initial["founders"] = "\n".join(initial["founders"])
    form = form_class(request.POST or None, initial=initial)
    docs = None if kind == ApplicationKind.DEREGISTRATION else DocumentsForm(request.POST or None,
                                                                             request.FILES or None)
    if request.method == "POST" and form.is_valid() and (docs is None or docs.is_valid()):
        try:
            # One transaction: a refused document leaves neither the draft nor the other documents
            # saved under a version the page does not know.
            with transaction.atomic():
                authority = None
                if kind == ApplicationKind.ESTABLISHMENT:
                    authority = Region.objects.get(code=form.cleaned_data["registration_authority"])
                saved = svc.application_save(
                    actor=user, kind=kind, data=form.data_items(), authority=authority,
                    organization=user.organization if kind != ApplicationKind.ESTABLISHMENT else None,
                    application=app, expected_version=form.cleaned_data.get("version"))
                for doc_kind in DOCUMENT_KINDS if docs is not None else ():
                    if docs.cleaned_data.get(doc_kind):
                        svc.application_document_add(actor=user, application=saved, kind=doc_kind,
                                                     upload=docs.cleaned_data[doc_kind])
                if "submit" in request.POST:
                    saved = svc.application_submit(actor=user, application=saved, expected_version=saved.version)
            if "submit" in request.POST:
                messages.success(request, _("Application submitted. A decision is due by %(date)s.")
                                 % {"date": saved.due_on.isoformat()})
            else:
                messages.success(request, _("Draft saved."))
            return redirect("registry:application_detail", pk=saved.pk)
        except ValidationError as exc:
            on_docs = docs is not None and hasattr(exc, "error_dict") and set(exc.error_dict) <= set(docs.fields)
            form_add_errors(docs if on_docs else form, exc)
    org = user.organization if kind != ApplicationKind.ESTABLISHMENT else None
    current = current_values(org) if kind == ApplicationKind.CHANGE else {}
    return render(request, "registry/application_form.html", {
        "form": form, "kind": kind, "kind_label": ApplicationKind(kind).label, "app": app, "org": org,
        "docs": docs, "documents": list(app.documents.all()) if app is not None else [],
        "rows": [(f, current.get(f.name)) for f in form.visible_fields()]},
        status=400 if form.errors or (docs is not None and docs.errors) else 200)


DOCUMENT_KINDS = ["resolution", "domicile", "charter"]


def current_values(org: Organization) -> dict:
    """The registered items a change application may change, as they stand (shown beside the new ones)."""
    return {"name": org.name, "legal_representative": org.legal_representative, "address": org.address,
            "business_scope": org.business_scope, "registered_capital": org.registered_capital,
            "sponsor_unit": org.sponsor_unit.name if org.sponsor_unit_id else _("None (direct registration)")}


@require_GET
@login_required
def application_detail(request, pk: int):
    user = request.user
    app = application_get(user, pk)
    officer = user.role == Role.OFFICER or user.is_platform_admin
    # The applicant sees the same checks (without the decision), so a hopeless application is
    # noticed before the officer rejects it.
    checks = svc.application_checks(app) if app.status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED) else []
    today = timezone.localdate()
    days_left = workdays_left(today, app.due_on) if app.due_on and app.status == ApplicationStatus.SUBMITTED else None
    return render(request, "registry/application_detail.html", {
        "documents": list(app.documents.all()),
        "items": application_items(app), "overdue_days": -days_left if days_left is not None else 0,
        "app": app, "checks": checks, "officer": officer,
        "decision_form": DecisionForm(initial={"version": app.version})
        if officer and app.status == ApplicationStatus.SUBMITTED else None,
        "days_left": days_left,
        "blocked": any(c.level == "error" for c in checks)})


EXTRA_LABELS = {"founders": gettext_lazy("Founders"), "reason": gettext_lazy("Reason for deregistration")}


def application_items(app: RegistrationApplication) -> list[tuple[str, object]]:
    """The items applied for, labelled, with codes shown as their names."""
    from gongxin.registry.models import Industry, OrgSubtype, OrgType, SponsorUnit

    out = []
    for key, value in app.data.items():
        if key in EXTRA_LABELS:
            label = EXTRA_LABELS[key]
        else:
            label = Organization._meta.get_field(key).verbose_name
        if key == "org_type" and value:
            value = OrgType(value).label
        elif key == "subtype" and value:
            value = OrgSubtype(value).label
        elif key == "industry" and value:
            value = Industry(value).label
        elif key == "sponsor_unit" and value:
            value = SponsorUnit.objects.filter(pk=value).values_list("name", flat=True).first() or value
        elif isinstance(value, list):
            value = "、".join(value)
        out.append((str(label), value))
    return out


def _decision_confirmation(app: RegistrationApplication, action: str, reasons: str) -> Confirmation:
    """What approving, rejecting or withdrawing this application will do, for its confirmation page."""
    back = reverse("registry:application_detail", args=[app.pk])
    name = app.data.get("name") or (app.organization.name if app.organization else "")
    facts = [(_("Application"), f"{app.get_kind_display()} #{app.pk}"), (_("Organization"), name),
             (_("Registration authority"), authority_name(app.registration_authority))]
    if action == "withdraw":
        return Confirmation(
            title=_("Withdraw the application"), button=_("Withdraw the application"), back_url=back, danger=True,
            facts=facts, effects=[_("The registration authority stops examining it; the decision deadline lapses.")],
            irreversible=_("A withdrawn application cannot be submitted again: a new application starts over."))
    if action == "reject":
        return Confirmation(
            title=_("Reject the application"), button=_("Reject"), back_url=back, danger=True,
            facts=[*facts, (_("Reasons for rejection"), reasons)],
            effects=[_("The applicant sees the decision and your reasons.")],
            irreversible=_("A rejection is final for this application; the applicant may apply again."))
    effects = {
        ApplicationKind.ESTABLISHMENT: [
            _("The organization is registered today: a unified social credit code and a registration certificate "
              "number are issued, and the certificate (valid five years) can be printed."),
            _("It appears in the public registry and its search at once.")],
        ApplicationKind.CHANGE: [_("The registered items change today and the change is published on the profile."),
                                 *[f"{label}: {value}" for label, value in application_items(app)]],
        ApplicationKind.DEREGISTRATION: [_("The organization's registration ends today (deregistered) and the "
                                           "public profile says so.")],
    }[app.kind]
    irreversible = {
        ApplicationKind.ESTABLISHMENT: _("An issued code and certificate number are never reused or withdrawn here."),
        ApplicationKind.CHANGE: _("A published change is corrected only by another change application."),
        ApplicationKind.DEREGISTRATION: _("A deregistered organization cannot be reactivated."),
    }[app.kind]
    return Confirmation(title=_("Approve the application"), button=_("Approve and register"), back_url=back,
                        danger=app.kind == ApplicationKind.DEREGISTRATION, facts=facts, effects=effects,
                        irreversible=irreversible)


@require_POST
@login_required
@confirmable
def application_action(request, pk: int, action: str):
    """submit / withdraw (the applicant), approve / reject (the registration authority); the
    last three behind a confirmation page (core.confirm)."""
    user = request.user
    app = application_get(user, pk)
    form = DecisionForm(request.POST)
    try:
        version = int(request.POST.get("version") or 0)
    except ValueError:
        # Only a tampered form sends this: the page always carries the application's version.
        return HttpResponseBadRequest(_("“version” must be a whole number: reload the application and try again."),
                                      content_type="text/plain; charset=utf-8")
    if action not in ("submit", "withdraw", "approve", "reject"):
        raise Http404
    may = {"withdraw": app.applicant_id == user.pk,
           "approve": app.status == ApplicationStatus.SUBMITTED and officer_manages(user, app.region_prefix),
           "reject": app.status == ApplicationStatus.SUBMITTED and officer_manages(user, app.region_prefix)}
    if action == "reject" and not form.data.get("reasons", "").strip():
        messages.error(request, _("Give the reasons for rejection; the applicant will see them."))
        return redirect("registry:application_detail", pk=pk)
    if may.get(action) and (page := confirmation(request, _decision_confirmation(app, action,
                                                                                 form.data.get("reasons", "")))):
        return page
    try:
        if action == "submit":
            svc.application_submit(actor=user, application=app, expected_version=version)
            messages.success(request, _("Application submitted."))
        elif action == "withdraw":
            svc.application_withdraw(actor=user, application=app)
            messages.success(request, _("Application withdrawn."))
        elif action == "approve":
            app = svc.application_approve(actor=user, application=app, expected_version=version)
            messages.success(request, _("Approved."))
        elif action == "reject":
            reasons = form.data.get("reasons", "")
            svc.application_reject(actor=user, application=app, reasons=reasons, expected_version=version)
            messages.success(request, _("Rejected; the applicant sees your reasons."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("registry:application_detail", pk=pk)


WORKLIST_PENDING = {
    "due": (gettext_lazy("Decision due, overdue first"), ("due_on", "submitted_at", "id")),
    "-submitted": (gettext_lazy("Submitted, newest first"), ("-submitted_at", "-id")),
    "name": (gettext_lazy("Name"), ("organization__name", "id")),
}
WORKLIST_DECIDED = {
    "-decided": (gettext_lazy("Decided, newest first"), ("-decided_at", "-id")),
    "decided": (gettext_lazy("Decided, oldest first"), ("decided_at", "id")),
    "name": (gettext_lazy("Name"), ("organization__name", "id")),
}
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


@require_GET
@login_required
def application_document(request, pk: int):
    """A document of an application: for its applicant and the officers deciding it (the
    application's own scope; anyone else gets 404)."""
    doc = ApplicationDocument.objects.filter(pk=pk).first()
    if doc is None:
        raise Http404
    application_get(request.user, doc.application_id)  # 404 outside the application's scope
    audit_record(actor=request.user, action="application.document_download", obj=doc)
    return download_response(doc.file, doc.name)


@require_GET
@login_required
def worklist(request):
    """The officer's worklist: submitted applications in the jurisdiction, overdue and nearest
    deadline first, with working days left; the decided ones (approved, rejected, withdrawn)
    under 已处理. Searched by name (the applied-for name of an establishment too) or code."""
    user = request.user
    if not (user.role == Role.OFFICER or user.is_platform_admin):
        raise Http404
    kind = request.GET.get("kind", "")
    kind = kind if kind in ApplicationKind.values else ""
    wl = Worklist.from_request(request, pending=WORKLIST_PENDING, decided=WORKLIST_DECIDED, extra={"kind": kind})
    qs = applications_visible(user)
    if kind:
        qs = qs.filter(kind=kind)
    if wl.q:
        qs = qs.filter(name_or_code_q(wl.q, name="organization__name", code="organization__uscc")
                       | Q(data__name__icontains=wl.q))
    pending = qs.filter(status=ApplicationStatus.SUBMITTED)
    decided = qs.filter(status__in=DECIDED_STATUSES, submitted_at__isnull=False)
    page = paginate(request, (decided if wl.decided else pending).select_related("decided_by").order_by(*wl.order))
    today = timezone.localdate()
    for app in page.object_list:
        if app.status == ApplicationStatus.SUBMITTED:
            app.days_left = workdays_left(today, app.due_on)
            app.overdue_days = -app.days_left
    return render(request, "registry/applications_worklist.html", {
        "page": page, "kind": kind, "kinds": ApplicationKind.choices, "wl": wl,
        "pending": pending.count(), "decided": decided.count(), "querystring": wl.querystring()})


@require_GET
@login_required
def certificate(request, uscc: str):
    """The registration certificate as a PDF: for the organization itself and its officers."""
    from gongxin.registry.certificates import certificate_pdf

    scope = jurisdiction_q(request.user)
    qs = Organization.objects.select_related("registration_authority", "sponsor_unit").filter(uscc=uscc)
    if request.user.role not in (Role.OFFICER, Role.ORG_USER) and not request.user.is_platform_admin:
        raise Http404
    if scope is not None:
        qs = qs.filter(scope)
    org = qs.filter(Q(certificate_number__gt="")).first()
    if org is None:
        raise Http404
    audit_record(actor=request.user, action="organization.certificate_download", obj=org)
    response = HttpResponse(certificate_pdf(org), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{org.uscc}.pdf"'
    return response
