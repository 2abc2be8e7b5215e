"""Integrity commitment pages (/credit/commitments/): officers publish their jurisdiction's
commitment text and see who signed it; organizations read the text in force and sign it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongxin.accounts.models import Role
from gongxin.core.forms import DateField, IdentityField, form_add_errors
from gongxin.core.models import Region, RegionLevel
from gongxin.credit.commitments import (
    commitment_sign,
    commitment_text_for,
    commitment_text_publish,
    signatures_in_scope,
    signatures_of,
    text_visible,
    texts_enclosing,
    texts_managed,
)
from gongxin.credit.forms import BootstrapForm
from gongxin.credit.models import IntegrityCommitment
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization, authority_name
from gongxin.registry.selectors import officer_prefix, region_prefix_filter
from gongxin.registry.views import paginate


def _officer_prefix(user) -> str:
    prefix = officer_prefix(user)
    if prefix is None:
        raise Http404
    return prefix


def _regions_for(user, prefix: str) -> list[Region]:
    """Where the officer may publish: their jurisdiction and the regions inside it (for the
    whole country, provinces and cities only: three thousand counties make no usable list)."""
    qs = Region.objects.filter(region_prefix_filter("prefix", prefix))
    if not prefix:
        qs = qs.filter(level__lte=RegionLevel.CITY)
    return list(qs.order_by("code"))


class TextForm(BootstrapForm):
    region = forms.ChoiceField(label=gettext_lazy("Jurisdiction"))
    # The text is a Chinese document whatever the officer's language (like the certificates).
    title = forms.CharField(label=gettext_lazy("Title"), max_length=128, initial="社会组织诚信自律承诺书")
    body = forms.CharField(label=gettext_lazy("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=gettext_lazy("What organizations commit to, one undertaking per paragraph."))
    effective_from = DateField(label=gettext_lazy("In force from"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm: a published text cannot be edited; a later text "
                                                    "supersedes it."))

    def __init__(self, *args, regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [(r.code, f"{r.code} {authority_name(r)}") for r in regions]
        self.fields["effective_from"].initial = timezone.localdate()


@require_GET
@login_required
def texts(request):
    """The officer's commitment texts: their jurisdiction's, and those of enclosing regions
    that bind their organizations too."""
    prefix = _officer_prefix(request.user)
    page = paginate(request, texts_managed(request.user))
    return render(request, "credit/commitments/texts.html", {
        "page": page, "enclosing": texts_enclosing(request.user), "today": timezone.localdate(),
        "scope_all": prefix == ""})


@require_http_methods(["GET", "POST"])
@login_required
def text_new(request):
    prefix = _officer_prefix(request.user)
    regions = _regions_for(request.user, prefix)
    initial = {"region": request.user.jurisdiction_id} if request.user.jurisdiction_id else {}
    form = TextForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            text = commitment_text_publish(actor=request.user, region=form.regions[data["region"]],
                                           title=data["title"], body=data["body"],
                                           effective_from=data["effective_from"])
            messages.success(request, _("Commitment text published, in force from %(date)s.")
                             % {"date": text.effective_from.isoformat()})
            return redirect("credit:commitment_text", pk=text.pk)
        except ValidationError as exc:  # NotAllowed included: cannot happen for a listed region
            form_add_errors(form, exc)
    return render(request, "credit/commitments/text_form.html", {"form": form})


@require_GET
@login_required
def text_detail(request, pk: int):
    """A text and which of the officer's organizations signed it."""
    _officer_prefix(request.user)
    text = text_visible(request.user, pk)
    if text is None:
        raise Http404
    page = paginate(request, signatures_in_scope(request.user, text))
    return render(request, "credit/commitments/text_detail.html", {
        "text": text, "page": page, "authority": authority_name(text.region), "today": timezone.localdate()})


class SignForm(BootstrapForm):
    text = forms.IntegerField(widget=forms.HiddenInput)
    signatory = IdentityField(label=gettext_lazy("Signed by"), max_length=64,
                                help_text=gettext_lazy("Usually the legal representative."))
    signatory_position = forms.CharField(label=gettext_lazy("Position"), max_length=64)
    confirm = forms.BooleanField(label=gettext_lazy("On behalf of the organization, I make this commitment and "
                                                    "accept that it is published on our public profile."))


@require_http_methods(["GET", "POST"])
@login_required
def sign(request):
    """The organization's page: the text in force, the form to sign it, what it signed."""
    user = request.user
    if user.role != Role.ORG_USER or not user.organization_id:
        raise Http404
    org = Organization.objects.select_related("registration_authority").get(pk=user.organization_id)
    today = timezone.localdate()
    current = commitment_text_for(org, today)
    signed_current = (IntegrityCommitment.objects.filter(organization=org, text=current).first()
                      if current is not None else None)
    form = SignForm(request.POST or None, initial={
        "text": current.pk if current else None, "signatory": org.legal_representative,
        "signatory_position": _("Legal representative")})
    if request.method == "POST":
        if current is None:
            messages.error(request, _("No commitment text is in force for your organization."))
            return redirect("credit:commitment_sign")
        if form.is_valid():
            if form.cleaned_data["text"] != current.pk:
                messages.error(request, _("The commitment text in force has changed since you opened the page; "
                                          "read the text below and sign again."))
                return redirect("credit:commitment_sign")
            try:
                commitment = commitment_sign(actor=user, organization=org, text=current, today=today,
                                             signatory=form.cleaned_data["signatory"],
                                             signatory_position=form.cleaned_data["signatory_position"])
                if signed_current is not None and commitment.pk == signed_current.pk:
                    messages.info(request, _("Your organization had already signed this commitment."))
                else:
                    messages.success(request, _("Commitment signed. It is shown on your public profile."))
                return redirect("credit:commitment_sign")
            except NotAllowed as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("credit:commitment_sign")
            except ValidationError as exc:
                form_add_errors(form, exc)
    page = paginate(request, signatures_of(org))
    return render(request, "credit/commitments/sign.html", {
        "org": org, "current": current, "signed_current": signed_current, "form": form, "page": page,
        "authority": authority_name(current.region) if current else ""})
