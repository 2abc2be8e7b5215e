"""The optional second factor: a TOTP device (an authenticator app) through django-otp.

Officers and administrators may enrol; ``settings.OTP_REQUIRED_ROLES``
(``GONGXIN_OTP_REQUIRED_ROLES``, e.g. ``admin,officer``) makes it mandatory for those roles.
Everything here degrades to "no second factor" when django-otp's apps are not installed, so
that the accounts pages never depend on it being wired in.
"""

from __future__ import annotations

import base64
from io import BytesIO

from django.apps import apps
from django.conf import settings

from gongxin.accounts.models import Role

# Roles that may enrol a device of their own accord (those whose accounts can change the
# register or see personal data across a jurisdiction).
OTP_ELIGIBLE_ROLES = {Role.OFFICER, Role.ADMIN}


def otp_available() -> bool:
    return apps.is_installed("django_otp") and apps.is_installed("django_otp.plugins.otp_totp")


def required_roles() -> set[str]:
    roles = getattr(settings, "OTP_REQUIRED_ROLES", []) or []
    if isinstance(roles, str):
        roles = roles.split(",")
    return {r.strip() for r in roles if r.strip()}


def otp_required_for(user) -> bool:
    return otp_available() and (user.role in required_roles() or (user.is_superuser and Role.ADMIN in required_roles()))


def otp_eligible(user) -> bool:
    """May this user enrol a device (the Account security page offers it)?"""
    return otp_available() and (user.role in OTP_ELIGIBLE_ROLES or user.is_superuser or otp_required_for(user))


def confirmed_device(user):
    """The user's confirmed TOTP device, or None. Only roles that may enrol can have one, so the
    others (organization users, the public's accounts) cost no query on each request."""
    if not otp_available() or not user.is_authenticated or not otp_eligible(user):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user):
    """A device being set up (created, its code not yet confirmed), or None."""
    if not otp_available():
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def session_verified(request) -> bool:
    """Has this session passed the second factor? django-otp's middleware answers when it is
    installed; otherwise the session key it would read (the same device check, done here)."""
    user = request.user
    if hasattr(user, "is_verified"):
        return user.is_verified()
    from django_otp import DEVICE_ID_SESSION_KEY

    device = confirmed_device(user)
    return device is not None and request.session.get(DEVICE_ID_SESSION_KEY) == device.persistent_id


def needs_verification(request) -> bool:
    """Signed in with a password, enrolled, and the code not yet given in this session."""
    return confirmed_device(request.user) is not None and not session_verified(request)


def mark_verified(request, device) -> None:
    from django_otp import login as otp_login

    otp_login(request, device)


def totp_secret_base32(device) -> str:
    """The shared secret as authenticator apps take it when typed in (base32, grouped by 4)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` as a data: URI, made here: the secret never leaves the server
    for a QR service (the CSP allows data: images)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def provisioning_uri(device) -> str:
    """The otpauth:// URI for the QR code; settings.OTP_TOTP_ISSUER names the platform in the
    authenticator app."""
    return device.config_url
