"""Project work pages (/procurement/work/): the purchaser's projects and their workspace
(publicity, award, contract, milestones, tracking, evaluation), the organization's
opportunities, bids and awarded projects, the evaluator's assignments, the officer's
read-only supervision, and function transfers.

Reads go through procurement.selectors (out of scope: 404), writes through
procurement.services; these views only translate between forms and those calls."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.core.confirm import Confirmation, confirmable, confirmation
from gongxin.core.exports import export_request, export_started
from gongxin.core.forms import form_add_errors
from gongxin.core.uploads import body_exceeds, download_response
from gongxin.procurement import selectors as sel
from gongxin.procurement import services, steps
from gongxin.procurement.eligibility import bid_decision
from gongxin.procurement.forms import (
    AssignForm,
    AwardForm,
    BidForm,
    CompleteForm,
    ContractForm,
    EvaluationForm,
    MilestoneForm,
    MilestoneMarkForm,
    ProjectEditForm,
    ProjectForm,
    PublicizeForm,
    ReasonForm,
    RevokeForm,
    TrackingForm,
    TransferForm,
)
from gongxin.procurement.models import (
    BidStatus,
    FunctionTransfer,
    FunctionTransferStatus,
    Milestone,
    PerformanceEvaluation,
    PerformanceRating,
    ProjectStatus,
    PurchaseMethod,
)
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import paginate

T = "procurement/work/"
UPLOAD_LIMIT = 10 * services.MAX_DOCUMENT_BYTES  # a bid with several documents


def _data(request):
    """The submitted fields on a POST (even an empty one: it is validated and answered with
    its errors), None on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _refused(request, exc: ValidationError, to: str, **kwargs):
    """A stale version or a step no longer allowed: say so, show the page as it is now."""
    for message in exc.messages:
        messages.error(request, message)
    return redirect(to, **kwargs)


def _too_large(request, to, **kwargs):
    messages.error(request, _("The upload is too large; send files of at most 20 MB each."))
    return redirect(to, **kwargs)


# --- landing -----------------------------------------------------------------------------------


@login_required
@require_GET
def work_home(request):
    """Each role's procurement work page."""
    user = request.user
    if user.is_platform_admin or user.role == Role.PURCHASER:
        return redirect("procurement:work_projects")
    target = {Role.ORG_USER: "procurement:work_opportunities", Role.EVALUATOR: "procurement:work_evaluations",
              Role.OFFICER: "procurement:work_supervision"}.get(user.role)
    if target is None:
        raise Http404(_("No such page."))
    return redirect(target)


# --- the purchaser's project list ------------------------------------------------------------


def _list_context(request, qs_all, listing, filters, sort):
    page = paginate(request, listing)
    params = {**filters.as_params(), "sort": sort}
    return {"page": page, "filters": filters, "sort": sort,
            "sorts": [(k, v[0]) for k, v in sel.SORTS.items()], "statuses": ProjectStatus.choices,
            "methods": PurchaseMethod.choices, "years": sel.project_years(qs_all), "querystring": urlencode(params)}


def _sort(request) -> str:
    sort = request.GET.get("sort", "")
    return sort if sort in sel.SORTS else "-created"


@login_required
@require_GET
def work_projects(request):
    qs_all = sel.department_projects(request.user)
    filters, sort = sel.ProjectFilters.from_query(request.GET), _sort(request)
    context = _list_context(request, qs_all, sel.project_list(request.user, filters, sort), filters, sort)
    context["department"] = request.user.department if request.user.role == Role.PURCHASER else None
    return render(request, T + "projects.html", context)


@login_required
@require_POST
def work_projects_export(request):
    """The list as filtered, to Excel through the worker (core.exports)."""
    sel.department_projects(request.user)  # 404 for anyone without a project list
    filters = sel.ProjectFilters.from_query(request.POST)
    job = export_request(actor=request.user, kind="procurement_projects",
                         params={**filters.as_params(), "sort": request.POST.get("sort", "-created")})
    return export_started(request, job)


@login_required
@require_GET
def work_supervision(request):
    """The officer's read-only list of its jurisdiction's projects."""
    filters, sort = sel.ProjectFilters.from_query(request.GET), _sort(request)
    listing = sel.supervision_projects(request.user, filters, sort)
    qs_all = sel.supervision_projects(request.user, sel.ProjectFilters(), sort)
    return render(request, T + "supervision.html", _list_context(request, qs_all, listing, filters, sort))


# --- create / edit -----------------------------------------------------------------------------


def _project_form_kwargs(user):
    department = user.department
    return {"services": services.services_in_force(department.region_id),
            "functions": sel.transferable_functions(user)}


def _require_purchaser(user):
    if user.role != Role.PURCHASER or not user.department_id:
        raise Http404(_("No such page."))


def _project_values(d: dict) -> dict:
    return {k: d[k] for k in services.PROJECT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    _require_purchaser(request.user)
    form = ProjectForm(_data(request), **_project_form_kwargs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_create(actor=request.user, service=d["service"], function=d["function"],
                                              **_project_values(d))
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The draft project has been saved. Publicize it when it is ready."))
            return redirect("procurement:project_detail", pk=project.pk)
    return render(request, T + "project_form.html", {"form": form, "project": None,
                                                     "department": request.user.department},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = sel.department_project_get(actor=request.user, pk=pk)
    if project.status != ProjectStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited: the public has seen this project."))
        return redirect("procurement:project_detail", pk=pk)
    initial = {k: getattr(project, k) for k in services.PROJECT_FIELDS}
    initial.update(service=project.service_id, function=project.function_id, version=project.version)
    form = ProjectEditForm(_data(request), initial=initial, **_project_form_kwargs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.project_update(actor=request.user, project=project, expected_version=d["version"],
                                    service=d["service"], function=d["function"], **_project_values(d))
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The draft has been updated."))
            return redirect("procurement:project_detail", pk=pk)
    return render(request, T + "project_form.html", {"form": form, "project": project,
                                                     "department": request.user.department},
                  status=400 if form.errors else 200)


# --- the workspace -----------------------------------------------------------------------------


def _workspace(request, project, *, status=200, **forms):
    """The project's page. Department forms only for the department's purchaser; the awarded
    organization gets the tracking form; everyone else reads."""
    user, today = request.user, timezone.localdate()
    is_department = services.is_purchaser_of(user, project.department_id)
    is_awarded_org = user.role == Role.ORG_USER and user.organization_id == project.awarded_organization_id
    contract = sel.project_contract(project)
    evaluation = sel.project_evaluation(project)
    version = {"version": project.version}
    bids = [b for b in project.bids.all()]
    submitted = [b for b in bids if b.status == BidStatus.SUBMITTED]
    ctx = {"project": project, "today": today, "is_department": is_department, "is_awarded_org": is_awarded_org,
           "show_bids": is_department or sel.is_admin(user) or user.role == Role.OFFICER,
           "steps": sel.timeline(project, contract, evaluation), "contract": contract, "evaluation": evaluation,
           "bids": bids, "milestones": list(project.milestones.all()),
           "reports": list(project.tracking_reports.all()),
           "documents": [d for d in project.documents.all() if d.bid_id is None],
           "earliest_start": services.earliest_procurement_start(project, today),
           "publicity_days": services.policy_for(project.region_id).procurement_publicity_days}
    if is_department and project.status == ProjectStatus.PUBLICIZED:
        # The checks again, as the award will run them (a listing since the bid shows here).
        for bid in submitted:
            bid.today = bid_decision(bid.organization, project, today)
        ctx["award_decision"] = steps.may_award(user, project, today)
        ctx["award_form"] = forms.get("award_form") or AwardForm(initial=version, bids=submitted)
        ctx["unsuccessful_form"] = forms.get("unsuccessful_form") or ReasonForm(initial=version,
                                                                                prefix="unsuccessful")
    if is_department and project.status == ProjectStatus.CONTRACTED:
        ctx["milestone_form"] = forms.get("milestone_form") or MilestoneForm(prefix="milestone")
        ctx["milestone_decision"] = steps.may_mark_milestone(user, project, contract, today)
        ctx["complete_decision"] = steps.may_complete(user, project, contract, today)
        for m in ctx["milestones"]:
            if m.status == Milestone.Status.PENDING:
                m.form = MilestoneMarkForm(initial={"done_on": today}, prefix=f"m{m.pk}")
        ctx["complete_form"] = forms.get("complete_form") or CompleteForm(
            initial={**version, "completed_on": contract.ends_on if contract else today}, prefix="complete")
    if (is_department or is_awarded_org) and project.status == ProjectStatus.CONTRACTED:
        ctx["tracking_form"] = forms.get("tracking_form") or TrackingForm(
            prefix="tracking", milestones=project.milestones.all())
    if is_department and project.status == ProjectStatus.COMPLETED and (
            evaluation is None or evaluation.status == PerformanceEvaluation.Status.ASSIGNED):
        ctx["assign_form"] = forms.get("assign_form") or AssignForm(
            evaluators=sel.evaluators(), initial={"evaluator": evaluation.evaluator_id if evaluation else None})
    if project.function_id and project.awarded_organization_id:
        transfer = (FunctionTransfer.objects.select_related("function")
                    .filter(function_id=project.function_id, organization_id=project.awarded_organization_id)
                    .order_by("-started_on", "-id").first())
        if transfer is not None:
            ctx["transfer"] = transfer
            ctx["revocation_offered"], _latest = sel.revocation_offered(transfer, today)
    return render(request, T + "project_detail.html", ctx, status=status)


@login_required
@require_GET
def project_detail(request, pk: int):
    return _workspace(request, sel.project_get(actor=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def project_publicize(request, pk: int):
    """A confirmation page stating the 15-day rule, then the publicity."""
    project = sel.department_project_get(actor=request.user, pk=pk)
    if project.status != ProjectStatus.DRAFT:
        messages.info(request, _("This project has already been publicized."))
        return redirect("procurement:project_detail", pk=pk)
    today = timezone.localdate()
    form = PublicizeForm(_data(request), initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.project_publicize(actor=request.user, project=project,
                                       expected_version=form.cleaned_data["version"])
        except StaleEdit as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The project is publicized: organizations can apply until %(date)s.")
                             % {"date": project.bid_deadline.isoformat()})
            return redirect("procurement:project_detail", pk=pk)
    earliest = services.earliest_procurement_start(project, today)
    return render(request, T + "publicize.html", {
        "project": project, "form": form, "today": today, "earliest": earliest,
        "days": services.policy_for(project.region_id).procurement_publicity_days,
        "too_early": project.procurement_starts_on < earliest},
        status=400 if form.errors else 200)


def _post_step(request, pk, form_cls, call, success, form_key, confirm=None, **form_kwargs):
    """A department step posted from the workspace: done → back to it with a message; invalid
    → the workspace again with the form's errors; refused → the reason as a message. An
    irreversible step passes ``confirm(project, cleaned_data) -> Confirmation``: the valid POST
    shows that confirmation page first (core.confirm)."""
    project = sel.department_project_get(actor=request.user, pk=pk)
    form = form_cls(request.POST, request.FILES or None, **form_kwargs)
    if form.is_valid():
        if confirm is not None and (page := confirmation(request, confirm(project, form.cleaned_data))):
            return page
        try:
            call(project, form.cleaned_data)
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("procurement:project_detail", pk=pk)
    return _workspace(request, project, status=400, **{form_key: form})


def _back(project) -> str:
    return reverse("procurement:project_detail", args=[project.pk])


@login_required
@require_POST
@confirmable
def project_award(request, pk: int):
    project = sel.department_project_get(actor=request.user, pk=pk)
    submitted = [b for b in project.bids.all() if b.status == BidStatus.SUBMITTED]
    form = AwardForm(request.POST, bids=submitted)
    if form.is_valid():
        d = form.cleaned_data
        bid = next(b for b in submitted if b.pk == d["bid"])
        others = len(submitted) - 1
        page = confirmation(request, Confirmation(
            title=_("Award “%(title)s”") % {"title": project.title}, button=_("Award the project"),
            back_url=_back(project),
            facts=[(_("Awarded to"), f"{bid.organization.name} {bid.organization.uscc}"),
                   (_("Amount (yuan)"), f"{d['amount']:,.2f}"), (_("Reasons"), d["reason"])],
            effects=[_("The award is published on the disclosure platform and in the OCDS feed."),
                     _("%(count)d other application(s) are closed as unsuccessful.") % {"count": others}],
            irreversible=_("An award is not withdrawn: only cancelling the project before the contract ends it.")))
        if page:
            return page
        try:
            services.project_award(actor=request.user, project=project, bid=bid, amount=d["amount"],
                                   reason=d["reason"], expected_version=d["version"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The project has been awarded to %(org)s.") % {"org": bid.organization.name})
            return redirect("procurement:project_detail", pk=pk)
    return _workspace(request, project, status=400, award_form=form)


@login_required
@require_POST
def project_unsuccessful(request, pk: int):
    def call(project, d):
        services.project_unsuccessful(actor=request.user, project=project, reason=d["reason"],
                                      expected_version=d["version"])

    return _post_step(request, pk, ReasonForm, call, _("The procurement has ended without an award."),
                      "unsuccessful_form", prefix="unsuccessful")


@login_required
@require_http_methods(["GET", "POST"])
def project_cancel(request, pk: int):
    """Cancellation, behind its own confirmation page."""
    project = sel.department_project_get(actor=request.user, pk=pk)
    if project.status not in services.OPEN_FOR_CANCEL:
        messages.error(request, _("Not possible while the project is %(status)s.")
                       % {"status": project.get_status_display()})
        return redirect("procurement:project_detail", pk=pk)
    form = ReasonForm(_data(request), initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.project_cancel(actor=request.user, project=project, reason=form.cleaned_data["reason"],
                                    expected_version=form.cleaned_data["version"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The project has been cancelled."))
            return redirect("procurement:project_detail", pk=pk)
    return render(request, T + "cancel.html", {"project": project, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def contract_sign(request, pk: int):
    project = sel.department_project_get(actor=request.user, pk=pk)
    if project.status != ProjectStatus.AWARDED:
        messages.error(request, _("A contract is recorded once the project is awarded, and only once."))
        return redirect("procurement:project_detail", pk=pk)
    if body_exceeds(request, services.MAX_DOCUMENT_BYTES):
        return _too_large(request, "procurement:contract_sign", pk=pk)
    initial = {"version": project.version, "amount": project.awarded_amount, "signed_on": timezone.localdate(),
               "starts_on": project.service_starts_on, "ends_on": project.service_ends_on}
    form = ContractForm(*_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_sign(actor=request.user, project=project, number=d["number"], signed_on=d["signed_on"],
                                   amount=d["amount"], starts_on=d["starts_on"], ends_on=d["ends_on"],
                                   document=d["document"], expected_version=d["version"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The contract has been recorded: the service is under way."))
            return redirect("procurement:project_detail", pk=pk)
    return render(request, T + "contract_form.html", {"project": project, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def milestone_add(request, pk: int):
    def call(project, d):
        services.milestone_add(actor=request.user, project=project, title=d["title"], due_on=d["due_on"],
                               payment=d["payment"])

    return _post_step(request, pk, MilestoneForm, call, _("The milestone has been added."), "milestone_form",
                      prefix="milestone")


@login_required
@require_POST
def milestone_mark(request, pk: int):
    milestone = sel.milestone_get(actor=request.user, pk=pk)
    project = milestone.project
    form = MilestoneMarkForm(request.POST, prefix=f"m{pk}")
    if form.is_valid():
        try:
            services.milestone_mark(actor=request.user, milestone=milestone, status=form.cleaned_data["status"],
                                    done_on=form.cleaned_data["done_on"])
        except ValidationError as exc:
            return _refused(request, exc, "procurement:project_detail", pk=project.pk)
        messages.success(request, _("“%(title)s” has been recorded.") % {"title": milestone.title})
    else:
        messages.error(request, _("Choose met or missed, and the date."))
    return redirect("procurement:project_detail", pk=project.pk)


@login_required
@require_POST
def tracking_report_submit(request, pk: int):
    """A tracking report by the awarded organization or a finding by the department."""
    project = sel.project_get(actor=request.user, pk=pk)
    if not (services.is_purchaser_of(request.user, project.department_id) or (
            request.user.role == Role.ORG_USER and request.user.organization_id == project.awarded_organization_id)):
        raise Http404(_("No such project."))
    if body_exceeds(request, services.MAX_DOCUMENT_BYTES):
        return _too_large(request, "procurement:project_detail", pk=pk)
    form = TrackingForm(request.POST, request.FILES or None, prefix="tracking", milestones=project.milestones.all())
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.tracking_report_submit(actor=request.user, project=project, progress=d["progress"],
                                            content=d["content"], milestone=d["milestone"], document=d["document"])
        except NotAllowed as exc:
            return _refused(request, exc, "procurement:project_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The tracking report has been recorded."))
            return redirect("procurement:project_detail", pk=pk)
    return _workspace(request, project, status=400, tracking_form=form)


@login_required
@require_POST
@confirmable
def project_complete(request, pk: int):
    def call(project, d):
        services.project_complete(actor=request.user, project=project, completed_on=d["completed_on"],
                                  expected_version=d["version"])

    def confirm(project, d):
        return Confirmation(
            title=_("Accept “%(title)s” as completed") % {"title": project.title},
            button=_("Record the service as completed"), back_url=_back(project),
            facts=[(_("Undertaken by"), project.awarded_supplier_name),
                   (_("Service period"), f"{project.service_starts_on:%Y-%m-%d} – {project.service_ends_on:%Y-%m-%d}"),
                   (_("Completed on"), d["completed_on"].isoformat())],
            effects=[_("The project is published as completed; the performance evaluation comes next.")],
            irreversible=_("A completed project does not go back to implementation: no milestone or tracking "
                           "report can be added."))

    return _post_step(request, pk, CompleteForm, call,
                      _("The service is recorded as completed: the performance evaluation comes next."),
                      "complete_form", confirm=confirm, prefix="complete")


@login_required
@require_POST
def evaluation_assign(request, pk: int):
    def call(project, d):
        services.evaluation_assign(actor=request.user, project=project, evaluator=d["evaluator"])

    return _post_step(request, pk, AssignForm, call, _("The performance evaluation has been opened."),
                      "assign_form", evaluators=sel.evaluators())


@login_required
@require_GET
def document_download(request, pk: int):
    doc = sel.document_get(actor=request.user, pk=pk)
    return download_response(doc.file, doc.file.name.rsplit("/", 1)[-1])


# --- evaluations -----------------------------------------------------------------------------


@login_required
@require_GET
def work_evaluations(request):
    page = paginate(request, sel.evaluations_for(request.user))
    return render(request, T + "evaluations.html", {"page": page, "querystring": ""})


@login_required
@require_http_methods(["GET", "POST"])
@confirmable
def evaluation_detail(request, pk: int):
    """The scoring form for whoever may score (the assigned evaluator, or the department when
    it evaluates itself); the result for everyone else who may see it."""
    evaluation = sel.evaluation_get(actor=request.user, pk=pk)
    indicators = evaluation.indicator_set.indicators
    can_score = (services.may_score(request.user, evaluation)
                 and evaluation.status == PerformanceEvaluation.Status.ASSIGNED)
    form = None
    if can_score:
        form = EvaluationForm(_data(request), indicators=indicators, initial={"version": evaluation.version})
    elif request.method == "POST":
        raise Http404(_("No such evaluation."))
    decision = steps.may_evaluate(request.user, evaluation, timezone.localdate()) if can_score else None
    if request.method == "POST" and form.is_valid():
        scores = form.scores()
        total = sum((Decimal(str(v)) for v in scores.values() if v is not None), Decimal("0"))
        page = confirmation(request, Confirmation(
            title=_("Submit the performance evaluation of “%(title)s”") % {"title": evaluation.project.title},
            button=_("Submit the evaluation"),
            back_url=reverse("procurement:evaluation_detail", args=[pk]),
            facts=[*[(ind["name"], scores.get(ind["code"])) for ind in indicators],
                   (_("Total"), f"{total:.2f}"), (_("Rating"), PerformanceRating(services.rating_for(total)).label),
                   (_("Findings"), form.cleaned_data["comments"])],
            effects=[_("The result is written to %(org)s's public credit file (承接政府购买服务) and the project is "
                       "published as evaluated.") % {"org": evaluation.project.awarded_supplier_name}],
            irreversible=_("The scores cannot be changed once submitted (不可更改).")))
        if page:
            return page
        try:
            services.evaluation_submit(actor=request.user, evaluation=evaluation, scores=form.scores(),
                                       comments=form.cleaned_data["comments"],
                                       expected_version=form.cleaned_data["version"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:evaluation_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The evaluation has been submitted and recorded in the organization's "
                                        "credit file."))
            return redirect("procurement:evaluation_detail", pk=pk)
    rows = [{"indicator": ind, "score": evaluation.scores.get(ind["code"])} for ind in indicators]
    return render(request, T + "evaluation_detail.html", {
        "evaluation": evaluation, "project": evaluation.project, "form": form, "rows": rows, "decision": decision,
        "total_weight": sum(ind["weight"] for ind in indicators)}, status=400 if form is not None and form.errors
        else 200)


# --- organizations ---------------------------------------------------------------------------


@login_required
@require_GET
def work_opportunities(request):
    org = request.user.organization
    page = paginate(request, sel.opportunities(request.user))
    today = timezone.localdate()
    for project in page.object_list:
        # Its own eligibility per project: a few queries per row, on a page of 20.
        project.decision = bid_decision(org, project, today)
    # Reasons that hold for every project (the organization's own credit or reports) are said
    # once above the list; a row says only what is particular to its project.
    reasons = [[c.reason for c in p.decision.failures] for p in page.object_list]
    common = ([r for r in reasons[0] if all(r in rs for rs in reasons[1:])]
              if len(reasons) > 1 and all(reasons) else [])
    for project, own in zip(page.object_list, reasons, strict=True):
        project.own_reasons = [r for r in own if r not in common]
    return render(request, T + "opportunities.html", {"page": page, "querystring": "", "org": org,
                                                      "common_reasons": common})


@login_required
@require_http_methods(["GET", "POST"])
def bid_create(request, pk: int):
    """The project as published, the organization's checks first, then the bid form."""
    project = sel.opportunity_get(actor=request.user, pk=pk)
    org, today = request.user.organization, timezone.localdate()
    bid = sel.org_bid(org, project)
    decision = bid_decision(org, project, today)
    open_ = project.status == ProjectStatus.PUBLICIZED and today <= project.bid_deadline
    can_bid = open_ and decision.eligible and (bid is None or bid.status == BidStatus.WITHDRAWN)
    if request.method == "POST" and body_exceeds(request, UPLOAD_LIMIT):
        return _too_large(request, "procurement:bid_create", pk=pk)
    form = BidForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            submitted = services.bid_submit(actor=request.user, project=project, amount=d["amount"],
                                            proposal=d["proposal"], documents=d["documents"])
        except NotAllowed as exc:
            return _refused(request, exc, "procurement:bid_create", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            if bid is not None and bid.pk == submitted.pk and bid.status != BidStatus.WITHDRAWN:
                messages.info(request, _("Your organization has already applied for this project."))
            else:
                messages.success(request, _("Your application has been submitted."))
            return redirect("procurement:work_bids")
    return render(request, T + "bid_create.html", {
        "project": project, "org": org, "bid": bid, "decision": decision, "open": open_, "can_bid": can_bid,
        "form": form, "today": today,
        "documents": [d for d in project.documents.all() if d.bid_id is None and d.is_public]},
        status=400 if form.errors else 200)


@login_required
@require_GET
def work_bids(request):
    page = paginate(request, sel.org_bids(request.user))
    return render(request, T + "bids.html", {"page": page, "querystring": "", "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def bid_withdraw(request, pk: int):
    """A confirmation page, then the withdrawal (a destructive step: the department stops
    considering the application)."""
    bid = sel.org_bid_get(actor=request.user, pk=pk)
    if request.method == "GET" or request.POST.get("confirm") != "on":
        error = _("Tick the box to confirm the withdrawal.") if request.method == "POST" else ""
        return render(request, T + "bid_withdraw.html", {"bid": bid, "error": error},
                      status=400 if error else 200)
    try:
        services.bid_withdraw(actor=request.user, bid=bid)
    except ValidationError as exc:
        return _refused(request, exc, "procurement:work_bids")
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("procurement:work_bids")


@login_required
@require_GET
def work_awarded(request):
    page = paginate(request, sel.awarded_projects(request.user))
    return render(request, T + "awarded.html", {"page": page, "querystring": ""})


# --- function transfers ----------------------------------------------------------------------


@login_required
@require_GET
def work_transfers(request):
    qs = sel.transfers_for(request.user)
    status = request.GET.get("status", "")
    if status in FunctionTransferStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(request, T + "transfers.html", {
        "page": page, "querystring": urlencode({"status": status} if status else {}), "status": status,
        "statuses": FunctionTransferStatus.choices, "today": timezone.localdate(),
        "can_create": request.user.role in (Role.PURCHASER, Role.OFFICER)})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    sel.transfers_for(request.user)  # 404 for anyone without transfers
    form = TransferForm(_data(request), functions=sel.transferable_functions(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            transfer = services.function_transfer_create(actor=request.user, function=d["function"],
                                                         organization=form.organization, started_on=d["started_on"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The function has been transferred; the guidance period runs until "
                                        "%(date)s.") % {"date": transfer.guidance_until.isoformat()})
            return redirect("procurement:transfer_detail", pk=transfer.pk)
    return render(request, T + "transfer_form.html", {"form": form}, status=400 if form.errors else 200)


def _transfer_page(request, transfer, form=None, status=200):
    today = timezone.localdate()
    offered, latest = sel.revocation_offered(transfer, today)
    may_revoke = (services.may_manage_transfer(request.user, transfer)
                  and transfer.status == FunctionTransferStatus.ACTIVE and today <= transfer.guidance_until)
    return render(request, T + "transfer_detail.html", {
        "transfer": transfer, "today": today, "latest": latest, "offered": offered, "may_revoke": may_revoke,
        "form": form or RevokeForm(initial={"version": transfer.version}),
        "projects": transfer.function.projects.filter(awarded_organization=transfer.organization)
        .select_related("department").order_by("-awarded_on")}, status=status)


@login_required
@require_GET
def transfer_detail(request, pk: int):
    return _transfer_page(request, sel.transfer_get(actor=request.user, pk=pk))


@login_required
@require_POST
def transfer_revoke(request, pk: int):
    transfer = sel.transfer_get(actor=request.user, pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.function_transfer_revoke(actor=request.user, transfer=transfer,
                                              reason=form.cleaned_data["reason"],
                                              expected_version=form.cleaned_data["version"])
        except (StaleEdit, NotAllowed) as exc:
            return _refused(request, exc, "procurement:transfer_detail", pk=pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The function has been taken back from %(org)s.")
                             % {"org": transfer.organization.name})
            return redirect("procurement:transfer_detail", pk=pk)
    return _transfer_page(request, transfer, form, status=400)
