"""Forms of the officer's credit workspace. They check the shape of the input; the rules (may
this officer act, is the period over, is the number unique) stay in credit.services, whose
ValidationErrors the views put back on these forms (core.forms.form_add_errors)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.core import uscc as uscc_mod
from gongxin.core.forms import DateField, IdentityField
from gongxin.credit.models import CreditList, PenaltyKind, RecordKind

ENDING_KINDS = (PenaltyKind.REGISTRATION_CANCELLED, PenaltyKind.CERTIFICATE_REVOKED)
MONEY_KINDS = (PenaltyKind.FINE, PenaltyKind.CONFISCATION)


class BootstrapForm(forms.Form):
    """Puts Bootstrap's classes on the widgets (no inline style: the CSP forbids it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _date(label, **kwargs):
    return DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _text(label, rows=4, **kwargs):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class PenaltyForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Penalty"), choices=PenaltyKind.choices)
    decision_number = forms.CharField(label=_("Decision number"), max_length=64,
                                      help_text=_("As printed on the penalty decision, e.g. 珠民罚字〔2026〕12号."))
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, min_value=Decimal("0.01"),
                                max_digits=14, decimal_places=2,
                                help_text=_("Required for a fine or a confiscation."))
    suspension_from = _date(_("Suspended from"), required=False)
    suspension_until = _date(_("Suspended until"), required=False,
                             help_text=_("Required for a suspension of activities."))
    facts = _text(_("Facts"), rows=5)
    legal_basis = _text(_("Legal basis"), rows=3)
    decided_on = _date(_("Decided on"))
    deciding_body = IdentityField(label=_("Deciding body"), max_length=128, required=False,
                                    help_text=_("Empty: the registration authority. Another department's "
                                                "decision may be recorded here too."))
    is_public = forms.BooleanField(label=_("Publish on the organization's public profile"), required=False,
                                   initial=True)
    confirm_ending = forms.BooleanField(
        label=_("I confirm: this penalty ends the organization's registration, which cannot be undone here."),
        required=False)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        self.fields["decided_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if organization is not None:
            self.fields["deciding_body"].initial = organization.registration_authority_name

    def clean_decided_on(self):
        return _not_future(self.cleaned_data["decided_on"], _("The decision date cannot be in the future."))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in MONEY_KINDS and not data.get("amount"):
            self.add_error("amount", _("A fine or confiscation needs its amount in yuan."))
        if kind == PenaltyKind.SUSPENSION:
            start, end = data.get("suspension_from"), data.get("suspension_until")
            if not (start and end):
                self.add_error("suspension_until", _("A suspension needs its period (from and until)."))
            elif end < start:
                self.add_error("suspension_until", _("The suspension cannot end before it starts."))
        if kind in ENDING_KINDS and not data.get("confirm_ending"):
            self.add_error("confirm_ending", _("Tick the box: cancellation or revocation ends the registration."))
        return data


class RecordForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    content = _text(_("Content"), required=False)
    source = forms.CharField(label=_("Source"), max_length=200,
                             help_text=_("Where the information came from, e.g. a court's list or a document."))
    deciding_body = IdentityField(label=_("Deciding body"), max_length=128)
    occurred_on = _date(_("Record date"))
    valid_until = _date(_("Valid until"), required=False)
    is_public = forms.BooleanField(label=_("Publish on the organization's public profile"), required=False,
                                   initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_occurred_on(self):
        return _not_future(self.cleaned_data["occurred_on"])

    def clean(self):
        data = super().clean()
        start, end = data.get("occurred_on"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The record cannot end before its date."))
        return data


def _not_future(day, message=None):
    """A decision is entered after it is made: a date after today (the day of entry) is a typo."""
    if day and day > timezone.localdate():
        raise ValidationError(message or _("The date cannot be in the future."))
    return day


class ResolveForm(BootstrapForm):
    resolved_on = _date(_("Ended on"))


class BannedForm(BootstrapForm):
    region = forms.ChoiceField(label=_("Banning authority (region)"))
    name = IdentityField(label=_("Name of the illegal organization"), max_length=128)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24, required=False,
                           help_text=_("Optional: only if it had one (e.g. registered elsewhere)."))
    decision_number = forms.CharField(label=_("Decision number"), max_length=64)
    banned_on = _date(_("Banned on"))
    facts = _text(_("Facts"), rows=5)
    legal_basis = _text(_("Legal basis"), rows=3)

    def __init__(self, *args, regions, initial_region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, "\u3000" * max(r.level - 1, 0) + f"{r.name} ({r.code})")
                                         for r in regions]
        self.fields["region"].initial = initial_region
        self.fields["banned_on"].initial = timezone.localdate()

    def clean_uscc(self):
        code = self.cleaned_data["uscc"].strip()
        if not code:
            return ""
        try:
            return uscc_mod.parse(code, civil_affairs_only=False).code
        except uscc_mod.USCCError as exc:
            raise ValidationError(_("Not a valid unified social credit code: %(reason)s") % {"reason": exc}) from None

    def clean_banned_on(self):
        day = self.cleaned_data["banned_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class EntryActionForm(BootstrapForm):
    # The entry's version when the page was opened: a change since then is refused (StaleEdit).
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmListingForm(EntryActionForm):
    answer = _text(_("Answer to the objection"), required=False,
                   help_text=_("Required when the organization objected: why the objection is not upheld."))
    confirm = forms.BooleanField(
        label=_("I confirm the grounds are established: list the organization and publish the listing."),
        error_messages={"required": _("Tick the box to confirm the listing.")})

    def __init__(self, *args, needs_answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_answer = needs_answer
        if needs_answer:
            self.fields["answer"].required = True
            self.fields["answer"].error_messages["required"] = _("Answer the organization's objection before listing.")


class WithdrawForm(EntryActionForm):
    reason = _text(_("Reason for not listing"), rows=3)
    confirm = forms.BooleanField(
        label=_("I confirm: the organization is not listed on these grounds, now or later."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")})


class RemovalDecideForm(EntryActionForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve: remove from the list")),
                                          ("refuse", _("Refuse"))])
    reasons = _text(_("Reasons"), rows=3, required=False,
                    help_text=_("Required when refusing; shown to the organization."))
    rectified_confirmed = forms.BooleanField(
        label=_("I verified the rectification of the grounds not shown as rectified in the platform's data."),
        required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reasons", "").strip():
            self.add_error("reasons", _("Give the reasons for refusing."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "class": "form-control",
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))


FORMATS = [("xlsx", _("Excel (.xlsx), prepared in the background")), ("csv", _("CSV (UTF-8, opens in Excel)")),
           ("json", _("JSON"))]


class ExportForm(BootstrapForm):
    list = forms.ChoiceField(label=_("List"), required=False,
                             choices=[("", _("Both lists")), *CreditList.choices])
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect, initial="xlsx")
