from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.core.forms import DateField, IdentityField, SearchableSelect
from gongxin.core.models import Region
from gongxin.registry.models import (
    HIDE_REASON_MAX,
    Branch,
    CreditStatus,
    Industry,
    OrgStatus,
    OrgSubtype,
    OrgType,
)
from gongxin.registry.selectors import SearchFilters


def _blank(label, choices):
    return [("", label), *choices]


CREDIT_FILTER_CHOICES = [
    ("", _("Any credit status")),
    ("listed", _("On a credit list")),
    (CreditStatus.ABNORMAL.value, _("Abnormal activity list")),
    (CreditStatus.DISHONEST.value, _("Serious violation and dishonesty list")),
]


class OrgSearchForm(forms.Form):
    """Query and filters of the public search (the HTML page and the API share SearchFilters)."""

    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_blank(_("All types"), OrgType.choices))
    subtype = forms.ChoiceField(
        label=_("Subtype"), required=False, choices=_blank(_("All subtypes"), OrgSubtype.choices[1:])
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(_("All statuses"), OrgStatus.choices))
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=_blank(_("All industries"), Industry.choices)
    )
    credit = forms.ChoiceField(label=_("Credit status"), required=False, choices=CREDIT_FILTER_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Guangdong's cities and districts, then the other provinces: one query.
        regions = Region.objects.filter(Q(code__startswith="44", level__gte=1) | Q(level=1)).order_by("code")
        guangdong = [(r.code, ("\u3000" * (r.level - 1)) + r.name) for r in regions if r.code.startswith("44")]
        others = [(r.code, r.name) for r in regions if not r.code.startswith("44")]
        self.fields["region"].choices = [("", _("All regions")), *guangdong, *others]

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(org_type=d["type"], subtype=d["subtype"], region=d["region"], status=d["status"],
                             industry=d["industry"], credit=d["credit"])


def _authority_choices():
    """The registration authorities by their name (珠海市民政局, not 广东省珠海市), indented by level."""
    from gongxin.registry.models import authority_name

    regions = Region.objects.filter(code__startswith="44", level__gte=1).order_by("code")
    return [("", "—"), *[(r.code, ("\u3000" * (r.level - 1)) + authority_name(r)) for r in regions]]


def _sponsor_rows():
    from gongxin.registry.models import SponsorUnit

    return list(SponsorUnit.objects.values_list("pk", "name", "region_id", "region__name"))


def _sponsor_field(form, name: str, blank: str, filter_by: str = "") -> None:
    """The sponsor units (hundreds of them) as a searchable select with their jurisdictions."""
    rows = _sponsor_rows()
    field = form.fields[name]
    field.widget = SearchableSelect(attrs={"class": "form-select"}, filter_by=filter_by,
                                    regions={str(pk): (code, region) for pk, _n, code, region in rows},
                                    placeholder=_("Type part of the name"))
    field.choices = [("", blank), *[(pk, n) for pk, n, _c, _r in rows]]


class EstablishmentForm(forms.Form):
    """An establishment application (筹备 and 成立 in one, seed 004)."""

    registration_authority = forms.ChoiceField(label=_("Registration authority"))
    name = IdentityField(label=_("Proposed name"), max_length=128)
    org_type = forms.ChoiceField(label=_("Type"), choices=_blank("—", OrgType.choices))
    subtype = forms.ChoiceField(label=_("Subtype"), required=False, choices=_blank("—", OrgSubtype.choices[1:]))
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=_blank("—", Industry.choices))
    sponsor_unit = forms.ChoiceField(label=_("Sponsor unit"), required=False)
    legal_representative = IdentityField(label=_("Legal representative"), max_length=64)
    address = forms.CharField(label=_("Address"), max_length=256)
    business_scope = forms.CharField(label=_("Business scope"), widget=forms.Textarea(attrs={"rows": 3}))
    registered_capital = forms.DecimalField(label=_("Registered capital (10,000 yuan)"), min_value=0,
                                            decimal_places=2, max_digits=14)
    member_count = forms.IntegerField(label=_("Members"), required=False, min_value=0,
                                      help_text=_("Social groups: individual and unit members at founding."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    founders = forms.CharField(label=_("Founders"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("One name per line."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_authority"].choices = _authority_choices()
        _sponsor_field(self, "sponsor_unit", _("None (direct registration)"), filter_by="registration_authority")
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")

    def data_items(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("registration_authority"), d.pop("version")
        d["founders"] = [line for line in d["founders"].splitlines() if line.strip()]
        return d


class ChangeForm(forms.Form):
    """A change registration application: only the items filled in change."""

    name = IdentityField(label=_("New name"), required=False, max_length=128)
    legal_representative = IdentityField(label=_("New legal representative"), required=False, max_length=64)
    address = forms.CharField(label=_("New address"), required=False, max_length=256)
    business_scope = forms.CharField(label=_("New business scope"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    registered_capital = forms.DecimalField(label=_("New registered capital (10,000 yuan)"), required=False,
                                            min_value=0, decimal_places=2, max_digits=14)
    sponsor_unit = forms.ChoiceField(label=_("New sponsor unit"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sponsor_field(self, "sponsor_unit", _("Unchanged"))
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")

    def data_items(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


class DeregistrationForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deregistration"), widget=forms.Textarea(
        attrs={"rows": 3, "class": "form-control"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def data_items(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


APPLICATION_FORMS = {"establishment": EstablishmentForm, "change": ChangeForm, "deregistration": DeregistrationForm}


class DecisionForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons for rejection"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class BranchForm(forms.Form):
    name = IdentityField(label=_("Name"), max_length=Branch._meta.get_field("name").max_length,
                         widget=forms.TextInput(attrs={"class": "form-control"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Branch.Kind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    leader = IdentityField(label=_("Leader"), required=False, max_length=Branch._meta.get_field("leader").max_length,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    established_on = DateField(label=_("Established on"), required=False,
                               widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))


class BranchHideForm(forms.Form):
    """Hiding a filed branch: the reason (the organization sees it) and a confirmation."""

    reason = forms.CharField(label=_("Reason for hiding"), max_length=HIDE_REASON_MAX, widget=forms.Textarea(
        attrs={"rows": 3, "class": "form-control", "maxlength": HIDE_REASON_MAX}),
        help_text=_("Shown to the organization and to officers, not to the public."))
    confirm = forms.BooleanField(
        label=_("I confirm: remove this entry from the public profile and the API."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Tick the box to confirm.")})


class BranchUnhideForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: publish this entry on the public profile and the API again."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Tick the box to confirm.")})


class DocumentsForm(forms.Form):
    """The documents of an establishment or change application, each optional in a draft (a
    PDF, PNG or JPEG of at most 10 MB, checked by content in the service)."""

    resolution = forms.FileField(label=_("Meeting resolution"), required=False,
                                 help_text=_("The resolution of the founders' or members' meeting."))
    domicile = forms.FileField(label=_("Proof of domicile"), required=False,
                               help_text=_("Title deed or lease of the registered address."))
    charter = forms.FileField(label=_("Charter"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.update({"class": "form-control", "accept": "application/pdf,image/png,image/jpeg"})
