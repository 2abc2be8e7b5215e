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
