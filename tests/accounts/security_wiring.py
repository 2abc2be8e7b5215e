"""The account security settings as settings.py is meant to have them (docs/security.md),
applied by the tests of this folder whether or not settings.py lists them yet; idempotent."""

PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongxin.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gongxin.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

OTP = "django_otp.middleware.OTPMiddleware"
GATE = "gongxin.accounts.middleware.SecurityGateMiddleware"
DENIALS = "gongxin.accounts.middleware.DenialAuditMiddleware"


def wire(settings) -> None:
    """Apply to pytest-django's ``settings`` fixture, before the test makes its clients."""
    from django.apps import apps

    otp = [OTP] if apps.is_installed("django_otp") else []  # test_otp.py needs it installed
    middleware = [m for m in settings.MIDDLEWARE if m not in (OTP, GATE, DENIALS)]
    at = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    settings.MIDDLEWARE = [*middleware[:at], *otp, GATE, *middleware[at:], DENIALS]
    settings.AUTH_PASSWORD_VALIDATORS = PASSWORD_VALIDATORS
    settings.OTP_REQUIRED_ROLES = []
    settings.OTP_TOTP_ISSUER = "Gongxin"
