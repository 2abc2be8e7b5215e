"""Account security services and security events in the audit log.

Events written here (accounts/signals.py connects the sign-in ones):

==============================  =====================================================
``auth.login_failed``           a wrong password at sign-in (aggregated, see below)
``auth.locked_out``             an attempt refused by the lockout (aggregated)
``auth.login_rate_limited``     sign-in attempts from one address over the rate limit
``auth.reauth_failed``          a signed-in user gave a wrong current password
                                (password change, authenticator set-up or removal)
``auth.password_change``        a user changed their password (``forced`` if they had to)
``auth.password_change_required`` an administrator requires a new password at next use
``auth.otp_enrol_start``        a TOTP device was generated (not yet confirmed)
``auth.otp_enrol``              the device was confirmed with a correct code
``auth.otp_enrol_failed``       a wrong code while confirming
``auth.otp_verified``           the second sign-in step passed
``auth.otp_failed``             a wrong (or throttled) code at the second step
``auth.otp_remove``             the user removed their own device
``auth.otp_reset``              an administrator removed a user's devices (recovery)
``security.denied``             an HTTP 403 served to a signed-in user
``security.not_found``          an HTTP 404 served to a signed-in user on a known route
                                (out of scope or absent: indistinguishable on purpose)
``security.identity_view``      someone looked at a person's identity details
==============================  =====================================================
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.accounts import otp
from gongxin.accounts.models import User
from gongxin.core.audit import audit_record, username_key
from gongxin.core.clientip import client_ip
from gongxin.core.ratelimit import window_count, worth_recording
from gongxin.registry.applications import NotAllowed

# One denial event per user and path in this many seconds: a page that 404s in a loop (a stale
# bookmark, a script) must not flood the chain. The first one is always recorded.
DENIAL_AUDIT_WINDOW = 600


def _require_admin(actor) -> None:
    if not (actor is not None and actor.is_authenticated and actor.is_platform_admin):
        raise NotAllowed(_("Only an administrator can do this."))


# --- failed sign-ins in the audit log --------------------------------------------------------

def _failure_window() -> int:
    """Repeated failures are aggregated per window of the lockout's cool-off (15 minutes)."""
    return max(60, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def signin_failure_record(*, request, username: str, action: str = "auth.login_failed", purpose: str = ""):
    """Audit a failed (or locked-out) sign-in, aggregated: per client address and account (or
    username hash) and window, the 1st, 2nd, 4th, 8th… failure is recorded with the count so
    far, so a flood of guesses costs the chain a handful of events. A known account is recorded
    by its id; an unknown username only by its keyed hash (``username_key``). ``purpose``
    marks a signed-in user's re-authentication (password change, authenticator set-up)."""
    username = str(username or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    subject = f"user:{user.pk}" if user is not None else f"name:{username_key(username)}"
    ip = client_ip(request)
    window = _failure_window()
    count = window_count(action, f"{ip}|{subject}", window=window)
    if not worth_recording(count):
        return None
    after = {"count": count, "window_minutes": window // 60, **({"purpose": purpose} if purpose else {})}
    actor = getattr(request, "user", None) if purpose else None
    if user is not None:
        return audit_record(actor=actor, action=action, obj=user, after=after, ip=ip)
    return audit_record(actor=actor, action=action, object_type="accounts.username_hash",
                        object_id=username_key(username), after=after, ip=ip)


def signin_rate_limited(request) -> bool:
    """Count a sign-in attempt of the client's address; True (refuse it, before any password is
    hashed) beyond ``settings.LOGIN_RATE_LIMIT`` a minute. The first refusal of a minute is
    audited (``auth.login_rate_limited``)."""
    ip = client_ip(request) or ""
    limit = settings.LOGIN_RATE_LIMIT
    count = window_count("signin", ip, window=60)
    if count <= limit:
        return False
    if worth_recording(count - limit):
        audit_record(actor=None, action="auth.login_rate_limited", object_type="ip", object_id=ip[:64],
                     after={"count": count, "limit_per_minute": limit}, ip=ip or None)
    return True


def reauthenticate(request, password: str, *, purpose: str) -> bool:
    """Check the signed-in user's current password the way sign-in does: through django-axes
    (the same failure count and lockout per account and address) and the audit log
    (``auth.reauth_failed``). After too many failures it answers False even for the right
    password until the lockout ends, and the lockout page is shown (axes' middleware)."""
    user = request.user
    return authenticate(request, username=user.get_username(), password=password or "", purpose=purpose) is not None


# --- passwords -------------------------------------------------------------------------------

@transaction.atomic
def password_change_record(*, actor: User) -> None:
    """After ``actor`` changed their own password (Django's form saved it; the history
    validator remembered its hash): lift the forced change and audit it."""
    forced = actor.must_change_password
    if forced:
        User.objects.filter(pk=actor.pk).update(must_change_password=False)
        actor.must_change_password = False
    audit_record(actor=actor, action="auth.password_change", obj=actor, after={"forced": forced})


@transaction.atomic
def password_change_require(*, actor, user: User) -> None:
    """An administrator requires ``user`` to choose a new password at their next request
    (an account whose password the administrator handed out, or one that may be known)."""
    _require_admin(actor)
    if user.must_change_password:
        return  # idempotent: already required
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True
    audit_record(actor=actor, action="auth.password_change_required", obj=user,
                 before={"must_change_password": False}, after={"must_change_password": True})


# --- second factor ---------------------------------------------------------------------------

@transaction.atomic
def otp_enrol_start(*, actor: User):
    """Generate a new (unconfirmed) TOTP device for ``actor``; an earlier unconfirmed one is
    discarded, so only the QR code on screen works."""
    if not otp.otp_eligible(actor):
        raise NotAllowed(_("Your role cannot use a second factor."))
    if otp.confirmed_device(actor) is not None:
        raise NotAllowed(_("You already have an authenticator; remove it first to set up another."))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
    audit_record(actor=actor, action="auth.otp_enrol_start", obj=actor)
    return device


def otp_enrol_confirm(*, actor: User, token: str, request=None) -> bool:
    """Confirm the pending device with a code from the app. A wrong code is audited and
    counted by django-otp's throttling (each failure doubles the wait)."""
    device = otp.pending_device(actor)
    if device is None:
        raise NotAllowed(_("There is no authenticator being set up; start again."))
    with transaction.atomic():
        ok = device.verify_token((token or "").strip())
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=actor, action="auth.otp_enrol", obj=actor, after={"device": device.persistent_id})
        else:
            audit_record(actor=actor, action="auth.otp_enrol_failed", obj=actor)
    if ok and request is not None:
        otp.mark_verified(request, device)  # the code just given proves the second factor
    return ok


def otp_verify(*, request, token: str) -> tuple[bool, int | None]:
    """The second sign-in step: check the code against the user's device. Returns
    (passed, seconds to wait if throttled)."""
    user = request.user
    device = otp.confirmed_device(user)
    if device is None:
        return True, None
    with transaction.atomic():
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = _throttle_wait(device, info)
            audit_record(actor=user, action="auth.otp_failed", obj=user, after={"throttled": True})
            return False, wait
        ok = device.verify_token((token or "").strip())
        audit_record(actor=user, action="auth.otp_verified" if ok else "auth.otp_failed", obj=user)
    if ok:
        otp.mark_verified(request, device)
    return ok, None


def _throttle_wait(device, info) -> int | None:
    from django.utils import timezone

    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return None
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


@transaction.atomic
def otp_remove(*, actor: User, token: str) -> bool:
    """The user removes their own device, proving they still hold it with a current code.
    Refused where the role requires a second factor (an administrator can still reset it)."""
    if otp.otp_required_for(actor):
        raise NotAllowed(_("Your role requires a second factor; it cannot be removed."))
    device = otp.confirmed_device(actor)
    if device is None:
        return True
    if not device.verify_token((token or "").strip()):
        audit_record(actor=actor, action="auth.otp_failed", obj=actor, after={"purpose": "remove"})
        return False
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, action="auth.otp_remove", obj=actor)
    return True


@transaction.atomic
def otp_reset(*, actor, user: User) -> int:
    """Recovery: an administrator removes ``user``'s devices (a lost phone). The user signs in
    with the password alone next time and, if the role requires it, enrols again at once."""
    _require_admin(actor)
    removed = 0
    if otp.otp_available():
        from django_otp.plugins.otp_totp.models import TOTPDevice

        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="auth.otp_reset", obj=user, before={"devices": removed}, after={"devices": 0})
    return removed


# --- other security events -------------------------------------------------------------------

def audit_identity_view(actor, obj, *, field: str = "") -> None:
    """Record that ``actor`` was shown a person's identity details on ``obj`` (a complainant,
    a member with an ID number). Call it in the view that reveals them, every time: it is the
    answer to "who saw this person's identity", so it is never rate-limited."""
    audit_record(actor=actor, action="security.identity_view", obj=obj, after={"field": field} if field else None)


def denial_record(request, response) -> bool:
    """Audit a 403 or a 404 served to a signed-in user; returns whether an event was written.

    Only routes that resolved count as 404s: a mistyped address is no denial, while a known
    page answering 404 is what an out-of-scope object looks like (the same answer as a
    missing one, by design). One event per user and path per DENIAL_AUDIT_WINDOW."""
    status = response.status_code
    user = getattr(request, "user", None)
    if status not in (403, 404) or user is None or not user.is_authenticated:
        return False
    if request.path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
        return False
    match = getattr(request, "resolver_match", None)
    if status == 404 and match is None:
        return False
    key = "gongxin:denial:" + hashlib.sha256(f"{user.pk}:{status}:{request.path}".encode()).hexdigest()
    window = getattr(settings, "DENIAL_AUDIT_WINDOW", DENIAL_AUDIT_WINDOW)
    if not cache.add(key, 1, timeout=window):
        return False
    route = (match.view_name if match is not None else "") or ""
    audit_record(
        actor=user, action="security.denied" if status == 403 else "security.not_found",
        object_type="url", object_id=route[:64],
        after={"path": request.path[:300], "method": request.method, "status": status},
        ip=client_ip(request),
    )
    return True
