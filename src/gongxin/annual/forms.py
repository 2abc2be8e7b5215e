from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.annual.content import EIGHT_HAVES, SELF_GOVERNANCE, SIX_GOODS
from gongxin.annual.models import AnnualReport, BasicPassReason, Conclusion, FailReason
from gongxin.annual.services import CONTENT_FIELDS

MONEY = {"class": "form-control", "step": "0.01", "inputmode": "decimal"}


class ReportForm(forms.ModelForm):
    """The organization's report form. Drafts may be incomplete; ``services.completeness_errors``
    decides what submission needs."""

    party_org_established = forms.NullBooleanField(
        label=_("Party organization established"), required=False,
        widget=forms.NullBooleanSelect(attrs={"class": "form-select"}))
    eight_haves = forms.MultipleChoiceField(label=_("Eight haves"), choices=EIGHT_HAVES, required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    six_goods = forms.MultipleChoiceField(label=_("Six goods"), choices=SIX_GOODS, required=False,
                                          widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    self_governance_check = forms.MultipleChoiceField(
        label=_("Self-governance check (five selves, four withouts)"), choices=SELF_GOVERNANCE, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Industry associations and chambers of commerce: tick every statement that is true."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualReport
        fields = [*CONTENT_FIELDS, "financial_report"]
        widgets = {
            **{name: forms.NumberInput(attrs=MONEY) for name in (
                "total_assets", "total_liabilities", "net_assets", "income", "expenses", "donations_received",
                "grants_given", "government_funding")},
            **{name: forms.NumberInput(attrs={"class": "form-control", "min": "0"}) for name in (
                "staff_count", "member_count", "branch_count", "activity_count")},
            **{name: forms.Textarea(attrs={"class": "form-control", "rows": 3}) for name in (
                "activities", "compliance", "registered_changes", "staff_changes", "government_services",
                "commendations")},
            # A plain file input: the current file is linked through the scoped attachment view,
            # not the media URL the clearable widget would print.
            "financial_report": forms.FileInput(attrs={"class": "form-control", "accept": "application/pdf"}),
        }

    FINANCE = ["total_assets", "total_liabilities", "net_assets", "income", "expenses", "donations_received",
               "grants_given", "government_funding"]
    COUNTS = ["staff_count", "member_count", "branch_count", "activity_count"]
    NARRATIVE = ["activities", "compliance", "registered_changes", "staff_changes", "government_services",
                 "commendations"]

    def group(self, names):
        return [self[name] for name in names]

    def finance_fields(self):
        return self.group(self.FINANCE)

    def finance_rows(self):
        """Each amount with last year's figure (``previous``, set by the view), for reference."""
        previous = getattr(self, "previous", None)
        return [(self[name], getattr(previous, name) if previous is not None else None) for name in self.FINANCE]

    def count_fields(self):
        return self.group(self.COUNTS)

    def narrative_fields(self):
        return self.group(self.NARRATIVE)

    def content(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in CONTENT_FIELDS}


class SponsorReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}), choices=[
        ("approve", _("Pass on to the registration authority")), ("return", _("Return for correction"))])
    opinion = forms.CharField(label=_("Opinion"), required=False,
                              widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("review", "review"), ("return", "return")], widget=forms.HiddenInput,
                               initial="review")
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices, required=False,
                                   widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    basic_pass_reasons = forms.MultipleChoiceField(label=_("Basic-pass reasons"), choices=BasicPassReason.choices,
                                                   required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    fail_reasons = forms.MultipleChoiceField(label=_("Fail reasons"), choices=FailReason.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)
