"""The platform's public address, for links built without a request: OCDS package URIs,
document URLs in exports, and the verification address printed on certificates and credit
reports (a reader of the paper has no browser address bar to take it from)."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """settings.SITE_URL (GONGXIN_SITE_URL) without a trailing slash, else https:// and the
    first allowed host, else http://localhost."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return f"https://{hosts[0]}" if hosts else "http://localhost"


def absolute_url(path: str) -> str:
    """``path`` (as reverse() gives it) on the platform's public address."""
    return site_url() + (path if path.startswith("/") else "/" + path)


def safe_next(request, target: str | None) -> str:
    """``target`` when it is a path on this site (same host and scheme), else "": for the
    "back to the list" links of pages reached from several places (an export's progress page,
    a password change). Only the path and query are kept."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
        return ""
    parts = urlsplit(target)
    if not parts.path.startswith("/"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
