"""Account security pages: the user's own (second factor), the second sign-in step, and the
administrator's recovery tools (reset a lost authenticator, require a new password)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gongxin.accounts import otp, security
from gongxin.accounts.models import User
from gongxin.credit.forms import BootstrapForm
from gongxin.registry.applications import NotAllowed
from gongxin.registry.views import paginate


class TokenForm(BootstrapForm):
    token = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=10,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "pattern": "[0-9 ]*", "autofocus": True}))


class PasswordForm(BootstrapForm):
    """The current password, asked again before the second factor is set up or removed: a
    stolen session alone must not be able to bind the account to another phone."""

    password = forms.CharField(label=gettext_lazy("Your current password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class RemoveForm(TokenForm, PasswordForm):
    pass


class ConfirmForm(BootstrapForm):
    confirm = forms.BooleanField(label=gettext_lazy("I have checked who is asking and confirm this action"),
                                 required=True)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# --- the user's own security page ------------------------------------------------------------

@login_required
@require_http_methods(["GET"])
def account_security(request):
    return _security_page(request)


def _security_page(request, token_form=None, status=200, password_form=None):
    user = request.user
    device = otp.confirmed_device(user)
    pending = None if device else otp.pending_device(user)
    context = {
        "otp_available": otp.otp_available(),
        "eligible": otp.otp_eligible(user),
        "required": otp.otp_required_for(user),
        "device": device,
        "pending": pending,
        "token_form": token_form or TokenForm(),
        "password_form": password_form or PasswordForm(),
    }
    if pending is not None:
        context["qr"] = otp.qr_data_uri(otp.provisioning_uri(pending))
        context["secret"] = otp.totp_secret_base32(pending)
    return render(request, "accounts/security.html", context, status=status)


@login_required
@require_POST
def otp_setup(request):
    if not otp.otp_eligible(request.user):
        raise Http404
    form = PasswordForm(request.POST)
    if not (form.is_valid() and security.reauthenticate(request, form.cleaned_data["password"],
                                                        purpose="otp_setup")):
        # Counted by the lockout like a wrong password at sign-in (axes' middleware answers 429
        # once it is reached).
        if form.is_valid():  # else it already says the password is required
            form.add_error("password", _("That is not your current password: the authenticator was not set up."))
        return _security_page(request, password_form=form, status=400)
    try:
        security.otp_enrol_start(actor=request.user)
    except NotAllowed as exc:
        messages.error(request, exc.messages[0])
    return redirect("accounts:security")


@login_required
@require_POST
def otp_confirm(request):
    if not otp.otp_eligible(request.user):
        raise Http404
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            ok = security.otp_enrol_confirm(actor=request.user, token=form.cleaned_data["token"], request=request)
        except NotAllowed as exc:
            messages.error(request, exc.messages[0])
            return redirect("accounts:security")
        if ok:
            messages.success(request, _("Your authenticator is set up: signing in will ask for its code."))
            return redirect("accounts:security")
        form.add_error("token", _("That code is not right. Check the time on your phone and try the current code."))
    return _security_page(request, token_form=form)


@login_required
@require_POST
def otp_remove(request):
    if not otp.otp_eligible(request.user):
        raise Http404
    form = RemoveForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, _("Enter your current password and a current code to remove the authenticator."))
        elif not security.reauthenticate(request, form.cleaned_data["password"], purpose="otp_remove"):
            messages.error(request, _("That is not your current password: the authenticator was kept."))
        elif security.otp_remove(actor=request.user, token=form.cleaned_data["token"]):
            messages.success(request, _("Your authenticator was removed: signing in asks for the password only."))
        else:
            messages.error(request, _("That code is not right: the authenticator was kept."))
    except NotAllowed as exc:
        messages.error(request, exc.messages[0])
    return redirect("accounts:security")


# --- the second sign-in step -----------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Asked after the password when the user has an authenticator (SecurityGateMiddleware
    sends every other page here until the code is given)."""
    home = _safe_next(request, "/accounts/")
    if not otp.needs_verification(request):
        return redirect(home)
    form = TokenForm(request.POST or None)
    wait = None
    if request.method == "POST" and form.is_valid():
        ok, wait = security.otp_verify(request=request, token=form.cleaned_data["token"])
        if ok:
            return redirect(home)
        if wait:
            form.add_error("token", ngettext("Too many wrong codes: wait %(seconds)d second, then try again.",
                                             "Too many wrong codes: wait %(seconds)d seconds, then try again.",
                                             wait) % {"seconds": wait})
        else:
            form.add_error("token", _("That code is not right. Enter the code your app shows now."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": home})


# --- administrators: recovery ----------------------------------------------------------------

def _admin_only(request) -> None:
    if not request.user.is_platform_admin:
        raise Http404  # no hint that the page exists


@login_required
@require_http_methods(["GET"])
def security_users(request):
    _admin_only(request)
    q = request.GET.get("q", "").strip()[:100]
    qs = User.objects.select_related("jurisdiction").order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit_name__icontains=q))
    if otp.otp_available():
        from django_otp.plugins.otp_totp.models import TOTPDevice

        qs = qs.annotate(has_otp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    if request.GET.get("filter") == "must_change":
        qs = qs.filter(must_change_password=True)
    page = paginate(request, qs)
    querystring = urlencode({k: v for k, v in {"q": q, "filter": request.GET.get("filter", "")}.items() if v})
    return render(request, "accounts/security_users.html", {
        "page": page, "q": q, "filter": request.GET.get("filter", ""), "querystring": querystring,
        "otp_available": otp.otp_available(),
    })


@login_required
@require_http_methods(["GET"])
def security_user(request, user_id: int):
    _admin_only(request)
    target = get_object_or_404(User.objects.select_related("jurisdiction", "organization"), pk=user_id)
    return render(request, "accounts/security_user.html", {
        "target": target, "device": otp.confirmed_device(target), "otp_available": otp.otp_available(),
        "required": otp.otp_required_for(target), "reset_form": ConfirmForm(prefix="reset"),
        "password_form": ConfirmForm(prefix="password"),
    })


@login_required
@require_POST
def security_user_otp_reset(request, user_id: int):
    _admin_only(request)
    target = get_object_or_404(User, pk=user_id)
    if not ConfirmForm(request.POST, prefix="reset").is_valid():
        messages.error(request, _("Tick the confirmation to reset the authenticator."))
        return redirect("accounts:security_user", user_id=target.pk)
    security.otp_reset(actor=request.user, user=target)
    messages.success(request, _("The authenticator of %(user)s was removed; they sign in with the password and "
                                "can set up a new one.") % {"user": target})
    return redirect("accounts:security_user", user_id=target.pk)


@login_required
@require_POST
def security_user_require_password_change(request, user_id: int):
    _admin_only(request)
    target = get_object_or_404(User, pk=user_id)
    if not ConfirmForm(request.POST, prefix="password").is_valid():
        messages.error(request, _("Tick the confirmation to require a new password."))
        return redirect("accounts:security_user", user_id=target.pk)
    security.password_change_require(actor=request.user, user=target)
    messages.success(request, _("%(user)s must choose a new password at their next request.") % {"user": target})
    return redirect("accounts:security_user", user_id=target.pk)


# --- officers and administrators: the audit chain's published head ---------------------------

@login_required
@require_http_methods(["GET"])
def audit_checkpoints(request):
    """The signed checkpoints of the audit chain (newest first) and whether the database still
    matches the newest: what ``gongxin audit verify`` checks, minus the walk of the whole chain
    (the last nightly verification's result is shown instead)."""
    from gongxin.accounts.models import Role
    from gongxin.core.checkpoints import checkpoint_path, checkpoint_verify, checkpoints_read, key_configured
    from gongxin.core.models import AuditEvent

    user = request.user
    if not (user.role == Role.OFFICER or user.is_platform_admin):
        raise Http404
    checkpoints, problems = checkpoints_read()
    check = checkpoint_verify(count=False)  # two indexed lookups; the nightly run counts
    last_verify = AuditEvent.objects.filter(action="audit.verify").order_by("-id").first()
    page = paginate(request, list(reversed(checkpoints)))
    return render(request, "accounts/audit_checkpoints.html", {
        "page": page, "problems": problems, "check": check, "last_verify": last_verify,
        "key_configured": key_configured(), "path": checkpoint_path() if user.is_platform_admin else None,
    })
