"""Request gates of account security, and the audit of denied requests.

Both go after django-otp's OTPMiddleware (itself after AuthenticationMiddleware):

    "django_otp.middleware.OTPMiddleware",
    "gongxin.accounts.middleware.SecurityGateMiddleware",
    "gongxin.accounts.middleware.DenialAuditMiddleware",
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.accounts import otp
from gongxin.accounts.security import denial_record


class SecurityGateMiddleware:
    """Holds a signed-in user at the step they still owe, in this order:

    1. the second sign-in step (a code from their authenticator), if they have one;
    2. a new password, if theirs was chosen by someone else (``must_change_password``);
    3. enrolling an authenticator, if their role requires one and they have none.

    Until then every page redirects to that step, except the step itself, signing out, the
    language switch and static files; the API answers 403 in its error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            gate = self._gate(request, user)
            if gate is not None:
                return gate
        return self.get_response(request)

    def _gate(self, request, user):
        path = request.path
        if path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
            return None
        always = {reverse("accounts:logout"), reverse("set_language")}
        if path in always:
            return None
        device = otp.confirmed_device(user)  # one indexed query per signed-in request
        if device is not None and not otp.session_verified(request):
            return self._hold(request, "accounts:otp_verify", "otp_required",
                              _("Enter the code from your authenticator app to continue."))
        if user.must_change_password:
            return self._hold(request, "accounts:password_change", "password_change_required",
                              _("You must change your password before continuing."))
        if device is None and otp.otp_required_for(user):
            allowed = {reverse("accounts:otp_setup"), reverse("accounts:otp_confirm"),
                       reverse("accounts:password_change")}
            if path in allowed:
                return None
            return self._hold(request, "accounts:security", "otp_enrolment_required",
                              _("Your role requires a second factor: set up an authenticator app to continue."))
        return None

    def _hold(self, request, url_name, code, message):
        target = reverse(url_name)
        if request.path == target:
            return None
        if request.path.startswith("/api/"):
            # The error shape of core/api.py; a browser session is what the API sees here.
            return JsonResponse({"error": {"code": code, "message": message, "field": None}}, status=403)
        if request.method == "GET" and request.path != reverse("accounts:home"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class DenialAuditMiddleware:
    """Writes ``security.denied`` / ``security.not_found`` events for signed-in users (see
    accounts.security.denial_record for what counts and the flood limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            denial_record(request, response)
        return response
