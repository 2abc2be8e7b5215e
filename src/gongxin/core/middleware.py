"""Request context for the audit log: who acts and from which address."""

from __future__ import annotations

import contextvars

from csp.middleware import CSPMiddleware

from gongxin.core.clientip import client_ip

_current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gongxin_ip", default=None)


def current_ip() -> str | None:
    return _current_ip.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


class LanguageMiddleware:
    """Simplified Chinese unless the user picked English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows an
    English page to a clerk whose browser happens to be set up in English; the platform's
    language is Chinese by default (DESIGN.md convention 9), English on request (cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES) and request.path.startswith("/api/"):
            # API clients have no language switch: they ask with Accept-Language.
            chosen = translation.get_language_from_request(request)
        lang = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (settings.PERMISSIONS_POLICY): the platform uses
    no camera, microphone, location, payment or USB device, so no page, nor anything injected
    into one, may ask the browser for them. Django's SecurityMiddleware has no setting for it."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.value = ", ".join(f"{feature}=({' '.join(allow)})"
                               for feature, allow in getattr(settings, "PERMISSIONS_POLICY", {}).items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response


class StaticScriptsCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``script-src`` narrowed from the whole origin ('self') to
    its static path (``https://host/static/``): every script the platform runs is a static
    file, so a file served from anywhere else (a user's upload, whatever its type) is never
    run as a script by a page of this origin. The host is the request's (ALLOWED_HOSTS checked
    it); an absolute STATIC_URL (a separate static host) is used as it is."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        source = self._static_source(request)
        if source and not report_only:
            parts.replace = {**(parts.replace or {}), "script-src": [source]}
        return parts

    @staticmethod
    def _static_source(request) -> str | None:
        from django.conf import settings
        from django.core.exceptions import DisallowedHost

        static = settings.STATIC_URL or "/static/"
        if "://" in static:
            return static
        try:
            return f"{request.scheme}://{request.get_host()}{static if static.startswith('/') else '/' + static}"
        except DisallowedHost:
            return None
