"""Forms of the officer's grade pages. Shape only; the rules (may this officer act, the
decision date) stay in evaluation.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.core import uscc as uscc_mod
from gongxin.core.forms import DateField, IdentityField
from gongxin.credit.forms import BootstrapForm
from gongxin.evaluation.models import Grade


class EvaluationForm(BootstrapForm):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18,
                           help_text=_("The organization's 18-character code, as on its certificate."))
    grade = forms.TypedChoiceField(label=_("Grade"), choices=[(g.value, g.label) for g in reversed(Grade)],
                                   coerce=int)
    decided_on = DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"},
                                                                               format="%Y-%m-%d"),
                                 help_text=_("Valid five years less a day from this date."))
    deciding_body = IdentityField(label=_("Deciding body"), max_length=128,
                                    help_text=_("E.g. 珠海市社会组织评估委员会."))
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()

    def clean_uscc(self):
        code = self.cleaned_data["uscc"].strip().upper()
        try:
            return uscc_mod.parse(code).code
        except uscc_mod.USCCError as exc:
            raise forms.ValidationError(_("Not a valid unified social credit code: %(reason)s")
                                        % {"reason": exc.message}) from None


class CancelForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("E.g. the evaluation committee revoked the grade, decision 珠评〔2026〕3号."))
    confirm = forms.BooleanField(label=_("Cancel this grade from today."))
