from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gongxin.accounts.models import Role
from gongxin.accounts.security import password_change_record, reauthenticate, signin_rate_limited
from gongxin.core.exports import export_request, export_started
from gongxin.core.site import safe_next
from gongxin.core.todos import todos_for
from gongxin.registry.search import QueryTooLong
from gongxin.registry.selectors import SearchFilters, organization_search
from gongxin.registry.views import no_results_hint, paginate


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Before the form runs the password hasher (PBKDF2, a million iterations): an address
        # over the limit costs a cache increment, not a CPU-second.
        if signin_rate_limited(request):
            return render(request, "accounts/rate_limited.html", {"limit": settings.LOGIN_RATE_LIMIT}, status=429)
        return super().post(request, *args, **kwargs)


class ReauthPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the current password checked as sign-in checks it: counted by the
    lockout and audited (accounts.security.reauthenticate), not by ``check_password`` alone."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not reauthenticate(self.request, old_password, purpose="password_change"):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Also the page a user is held at while ``must_change_password`` is set
    (accounts.middleware.SecurityGateMiddleware)."""

    template_name = "accounts/password_change.html"
    form_class = ReauthPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
    success_url = reverse_lazy("accounts:home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = self._next()
        return context

    def _next(self) -> str:
        return safe_next(self.request, self.request.POST.get("next") or self.request.GET.get("next"))

    def get_success_url(self):
        return self._next() or str(self.success_url)

    def form_valid(self, form):
        with transaction.atomic():
            # Saves the password (the history validator records its hash) and keeps the session valid.
            response = super().form_valid(form)
            password_change_record(actor=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_GET
@login_required
def home(request):
    """The signed-in user's workspace: their to-dos (each app's, through core.todos), and for
    officers, sponsors and administrators the organizations within their scope."""
    user = request.user
    q = request.GET.get("q", "")
    page, error = None, ""
    if user.role in (Role.OFFICER, Role.SPONSOR, Role.ADMIN) or user.is_superuser:
        try:
            qs = organization_search(actor=user, q=q, filters=SearchFilters(), managed_only=True)
            page = paginate(request, qs)
        except QueryTooLong as exc:
            error = str(exc)
    return render(request, "accounts/home.html", {
        "page": page, "q": q, "error": error, "querystring": urlencode({"q": q}) if q else "",
        "todos": todos_for(user, timezone.localdate()), "hint": no_results_hint(page, q)})


@require_POST
@login_required
def export_organizations(request):
    """Queue an Excel export of the workspace list (the same query, within the user's scope)."""
    job = export_request(actor=request.user, kind="organizations", params={"q": request.POST.get("q", "")[:200]})
    return export_started(request, job)


def locked_out(request, credentials, *args, **kwargs):
    """The page django-axes shows when a sign-in is locked out (HTTP 429)."""
    return render(request, "accounts/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }, status=429)
