"""Security events in the audit log: sign-ins, sign-outs and failed attempts."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gongxin.core.audit import audit_record


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", obj=user, ip=_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip=_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username only; never the password.
    audit_record(actor=None, action="auth.login_failed", object_type="accounts.user",
                 object_id=str(credentials.get("username", ""))[:64], ip=_ip(request))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(actor=None, action="auth.locked_out", object_type="accounts.user",
                 object_id=str(username or "")[:64], ip=ip_address)
