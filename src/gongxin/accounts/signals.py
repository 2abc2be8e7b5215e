"""Security events in the audit log: sign-ins, sign-outs and failed attempts (failures and
lockouts are aggregated and never record an unknown username in clear: accounts.security)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gongxin.accounts.security import signin_failure_record
from gongxin.core.audit import audit_record
from gongxin.core.clientip import client_ip


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", obj=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never the password; the username by account id, or as a keyed hash when it names none.
    purpose = str(credentials.get("purpose") or "")
    if getattr(request, "axes_locked_out", False):
        return  # refused by the lockout: recorded once as auth.locked_out below
    signin_failure_record(request=request, username=credentials.get("username", ""),
                          action="auth.reauth_failed" if purpose else "auth.login_failed", purpose=purpose)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    credentials = getattr(request, "axes_credentials", None) or {}
    signin_failure_record(request=request, username=username or "", action="auth.locked_out",
                          purpose=str(credentials.get("purpose") or ""))
