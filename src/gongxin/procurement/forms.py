"""Forms of the project work pages. They check the shape of the input; the rules (the 15-day
publicity, eligibility, who may act, stale versions) stay in procurement.services, whose
ValidationErrors the views put back on these forms (core.forms.form_add_errors)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.core import uscc as uscc_mod
from gongxin.core.forms import DateField, SearchableSelect
from gongxin.credit.forms import BootstrapForm
from gongxin.evaluation.models import Grade
from gongxin.procurement.models import Milestone, PurchaseMethod
from gongxin.registry.models import Organization

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


def _date(label, **kwargs):
    return DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _text(label, rows=4, **kwargs):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _version():
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _confirm(label):
    return forms.BooleanField(label=label, required=True,
                              error_messages={"required": _("Tick the box to confirm.")})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class ProjectForm(BootstrapForm):
    service = ServiceChoiceField(label=_("Catalogue service"), queryset=None,
                                 widget=SearchableSelect(placeholder=_("Type part of the code or the name")),
                                 help_text=_("From the guiding catalogue of purchasable services in force."))
    function = forms.ModelChoiceField(label=_("Transferred function"), queryset=None, required=False,
                                      help_text=_("Only when the project carries out a function transferred from "
                                                  "your department."))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"), rows=5)
    budget = forms.DecimalField(label=_("Budget (yuan)"), **MONEY)
    method = forms.ChoiceField(label=_("Method"), choices=PurchaseMethod.choices)
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    require_qualified = forms.BooleanField(label=_("Only organizations in the qualified organizations catalogue"),
                                           required=False, initial=True)
    min_grade = forms.TypedChoiceField(label=_("Minimum evaluation grade"), required=False, coerce=int,
                                       empty_value=None, choices=[("", _("No minimum")), *Grade.choices])
    requirements = _text(_("Other requirements"), rows=3, required=False)
    procurement_starts_on = _date(_("Procurement starts on"),
                                  help_text=_("At least 15 days after the publicity (Zhuhai's 15-day publicity "
                                              "rule); more where your jurisdiction asks more."))
    bid_deadline = _date(_("Application deadline"), help_text=_("On or after the procurement start."))
    service_starts_on = _date(_("Service starts on"))
    service_ends_on = _date(_("Service ends on"))

    def __init__(self, *args, services=None, functions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            # Each option's catalogue region, for the jurisdiction filter: one query.
            self.fields["service"].widget.regions = {
                str(pk): (code, name) for pk, code, name in
                services.values_list("pk", "catalogue__region_id", "catalogue__region__name")}
        self.fields["service"].queryset = services
        self.fields["function"].queryset = functions
        if not self.is_bound and "year" not in self.initial:
            self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        start, deadline = data.get("procurement_starts_on"), data.get("bid_deadline")
        if start and deadline and deadline < start:
            self.add_error("bid_deadline", _("Applications close on or after the day procurement starts."))
        s_start, s_end = data.get("service_starts_on"), data.get("service_ends_on")
        if s_start and s_end and s_end < s_start:
            self.add_error("service_ends_on", _("The service cannot end before it starts."))
        return data


class ProjectEditForm(ProjectForm):
    version = _version()


class PublicizeForm(BootstrapForm):
    version = _version()
    confirm = _confirm(_("Publish the project on the platform now; procurement starts on the planned date."))


class AwardForm(BootstrapForm):
    bid = forms.TypedChoiceField(label=_("Bid"), coerce=int)
    amount = forms.DecimalField(label=_("Awarded amount (yuan)"), **MONEY)
    reason = _text(_("Reasons for the award"), rows=3,
                   help_text=_("Why this organization: the evaluation of the bids, its score, its experience."))
    version = _version()

    def __init__(self, *args, bids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [(b.pk, f"{b.organization.name} · ¥{b.amount:,.2f}") for b in bids]


class ReasonForm(BootstrapForm):
    """Unsuccessful procurement and cancellation: a reason and a confirmation."""

    reason = _text(_("Reason"), rows=3)
    confirm = _confirm(_("I confirm: this ends the procurement and cannot be undone."))
    version = _version()


class BidForm(BootstrapForm):
    amount = forms.DecimalField(label=_("Proposed amount (yuan)"), **MONEY)
    proposal = _text(_("Proposal"), rows=6, help_text=_("How the organization will deliver the service: team, "
                                                        "plan, experience with similar projects."))
    documents = MultipleFileField(label=_("Documents"), required=False,
                                  help_text=_("The bid documents (PDF, Word, images), up to 20 MB each."))
    confirm = _confirm(_("The information is true; the organization accepts the project's requirements."))


class ContractForm(BootstrapForm):
    number = forms.CharField(label=_("Contract number"), max_length=64)
    signed_on = _date(_("Signed on"))
    amount = forms.DecimalField(label=_("Contract amount (yuan)"), **MONEY)
    starts_on = _date(_("Service starts on"))
    ends_on = _date(_("Service ends on"))
    document = forms.FileField(label=_("Signed contract"), help_text=_("The scanned, signed contract."))
    version = _version()


class MilestoneForm(BootstrapForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = _date(_("Due on"))
    payment = forms.DecimalField(label=_("Payment (yuan)"), required=False, **MONEY)


class MilestoneMarkForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Outcome"), choices=[(Milestone.Status.MET, _("Met")),
                                                            (Milestone.Status.MISSED, _("Missed"))])
    done_on = _date(_("Date"))


class TrackingForm(BootstrapForm):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None, required=False)
    content = _text(_("Report"), rows=4)
    document = forms.FileField(label=_("Evidence"), required=False)

    def __init__(self, *args, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class CompleteForm(BootstrapForm):
    completed_on = _date(_("Completed on"))
    version = _version()


class AssignForm(BootstrapForm):
    evaluator = forms.ModelChoiceField(label=_("Evaluated by"), queryset=None, required=False,
                                       empty_label=_("The department itself"),
                                       help_text=_("Or a third-party evaluator (第三方评估机构)."))

    def __init__(self, *args, evaluators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators
        self.fields["evaluator"].label_from_instance = lambda u: f"{u.unit_name or u} ({u.username})"


class EvaluationForm(BootstrapForm):
    """One score field per indicator of the set (0..weight)."""

    comments = _text(_("Findings"), rows=5)
    version = _version()

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for ind in self.indicators:
            self.fields[f"score_{ind['code']}"] = forms.DecimalField(
                label=f"{ind['name']} ({ind['weight']})", min_value=0, max_value=Decimal(ind["weight"]),
                max_digits=5, decimal_places=2, help_text=ind.get("description", ""),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}))

    def score_fields(self):
        return [self[f"score_{ind['code']}"] for ind in self.indicators]

    def scores(self) -> dict:
        return {ind["code"]: self.cleaned_data[f"score_{ind['code']}"] for ind in self.indicators}


class TransferForm(BootstrapForm):
    function = forms.ModelChoiceField(label=_("Function"), queryset=None)
    uscc = forms.CharField(label=_("Organization (unified social credit code)"), max_length=24)
    started_on = _date(_("Transferred on"))

    def __init__(self, *args, functions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].queryset = functions
        self.fields["function"].label_from_instance = lambda f: f"{f.code} {f.name} ({f.department_name})"
        if not self.is_bound:
            self.fields["started_on"].initial = timezone.localdate()

    def clean_uscc(self):
        code = uscc_mod.normalize(self.cleaned_data["uscc"])
        org = Organization.objects.filter(uscc=code).first()
        if org is None:
            raise forms.ValidationError(_("No registered organization has this code."))
        self.organization = org
        return code


class RevokeForm(BootstrapForm):
    reason = _text(_("Reason for revocation"), rows=3)
    confirm = _confirm(_("I confirm: the function is taken back from the organization."))
    version = _version()
