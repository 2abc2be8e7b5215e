"""Authorization expectations for the account security pages (merged by test_authorization).

Every signed-in user has an Account security page; the second factor is offered to officers
and administrators only (anyone else gets a 404 from its actions); the second sign-in step
sends a user who has no authenticator on (302). The recovery tools are the administrator's:
everyone else gets a 404, as for any page they may not know of."""

from tests.authz import only, signed_in_only

OTP_ROLES = {"officer_zhuhai": 302, "officer_foshan": 302, "admin": 302}


def setup(actors) -> dict:
    from gongxin.accounts.models import Role, User

    target, _ = User.objects.get_or_create(username="authz_security_target",
                                           defaults={"role": Role.FOUNDER, "display_name": "目标用户"})
    return {"security_target": target.pk}


EXPECTED = {
    "accounts:security": ("/accounts/security/", signed_in_only()),
    "accounts:otp_setup": ("/accounts/security/otp/setup/", signed_in_only(405)),  # POST only
    "accounts:otp_confirm": ("/accounts/security/otp/confirm/", signed_in_only(405)),
    "accounts:otp_remove": ("/accounts/security/otp/remove/", signed_in_only(405)),
    # Nobody here has an authenticator: the step sends them on to their workspace.
    "accounts:otp_verify": ("/accounts/otp/verify/", signed_in_only(302)),
    "accounts:security_users": ("/accounts/security/users/?q=a", only({"admin": 200})),
    # The audit chain's checkpoints: the officers' and the administrator's (no personal data in them).
    "accounts:audit_checkpoints": ("/accounts/security/audit/",
                                   only({"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200})),
    "accounts:security_user": ("/accounts/security/users/{security_target}/", only({"admin": 200})),
    "accounts:security_user_otp_reset": ("/accounts/security/users/{security_target}/otp-reset/",
                                         signed_in_only(405)),
    "accounts:security_user_require_password_change": (
        "/accounts/security/users/{security_target}/require-password-change/", signed_in_only(405)),
}

POSTS = {
    # Without the current password the set-up is refused (400) and nothing is created.
    "accounts:otp_setup": ("/accounts/security/otp/setup/", {}, only(dict.fromkeys(OTP_ROLES, 400))),
    "accounts:otp_confirm": ("/accounts/security/otp/confirm/", {"token": "123456"}, only(OTP_ROLES)),
    "accounts:otp_remove": ("/accounts/security/otp/remove/", {"token": "123456"}, only(OTP_ROLES)),
    "accounts:otp_verify": ("/accounts/otp/verify/", {"token": "123456"}, signed_in_only(302)),
    "accounts:security_user_otp_reset": ("/accounts/security/users/{security_target}/otp-reset/",
                                         {"reset-confirm": "on"}, only({"admin": 302})),
    "accounts:security_user_require_password_change": (
        "/accounts/security/users/{security_target}/require-password-change/", {"password-confirm": "on"},
        only({"admin": 302})),
}
