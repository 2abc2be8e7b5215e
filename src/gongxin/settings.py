"""Gongxin settings. Every value comes from a GONGXIN_* environment variable (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gongxin.core.clientip import parse_networks
from gongxin.core.env import env_bool, env_int, env_list, env_str, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(env_str("HOME_DIR", str(Path.cwd())))
VAR_DIR = Path(env_str("VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Demo mode: seeded demo accounts with published passwords. Never on in production.
DEMO = env_bool("DEMO", False)

_INSECURE_DEV_KEY = "gongxin-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_DEV_KEY if (DEBUG or DEMO) else None)
if not (DEBUG or DEMO) and (_key_problem := secret_key_problem(SECRET_KEY)):
    # The example file's value passes `check --deploy`: refuse it (and any obvious placeholder).
    raise ImproperlyConfigured(f"GONGXIN_SECRET_KEY is not a usable secret: {_key_problem}. Generate one with "
                               "python3 -c \"import secrets; print(secrets.token_urlsafe(64))\"")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or DEMO) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "gongxin.core.apps_vendor.AxesConfig",
    "django_otp",
    "gongxin.core.apps_vendor.TOTPConfig",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "gongxin.core.apps_vendor.TasksDatabaseConfig",
    "gongxin.core",
    "gongxin.accounts",
    "gongxin.registry",
    "gongxin.annual",
    "gongxin.credit",
    "gongxin.evaluation",
    "gongxin.procurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongxin.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Holds a signed-in user at the step still owed: the second factor, a forced password change,
    # enrolment where the role requires a second factor.
    "gongxin.accounts.middleware.SecurityGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with script-src narrowed to the static path (core/middleware.py).
    "gongxin.core.middleware.StaticScriptsCSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    "gongxin.core.middleware.AuditContextMiddleware",
    # Audits 403s and scope 404s of signed-in users (permission denials), rate-limited.
    "gongxin.accounts.middleware.DenialAuditMiddleware",
]

ROOT_URLCONF = "gongxin.urls"
WSGI_APPLICATION = "gongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongxin.core.context_processors.platform",
            ],
        },
    },
]

# Fields in error carry Bootstrap's is-invalid on their widget (gongxin.core.forms.BoundField).
FORM_RENDERER = "gongxin.core.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongxin.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads; busy timeout instead of
    # "database is locked" errors under the two-process default set-up.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# 等保 2.0 level 3 / ASVS L2: length, three of four character classes, not one of the last five.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongxin.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gongxin.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]
# Roles that must use an authenticator app (e.g. "admin,officer"); empty = optional for all.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "Gongxin"  # the account's name in the authenticator app
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures (django-axes): per username and address together, so that
# nobody can lock a colleague out from elsewhere; a success clears the count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongxin.accounts.views.locked_out"
# The client's address behind the proxy (core/clientip.py), the same for axes, the rate limits
# and the audit log.
AXES_CLIENT_IP_CALLABLE = "gongxin.core.clientip.client_ip"
AXES_VERBOSE = False
# Sign-in attempts (POSTs) accepted per client address and minute, counted before the password
# is hashed; beyond it HTTP 429 (accounts.security.signin_rate_limited).
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 30)
# Key of the HMAC under which failed sign-ins for unknown usernames are audited; empty = one
# derived from the secret key (accounts.security.username_key).
AUDIT_USERNAME_KEY = env_str("AUDIT_USERNAME_KEY", "")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "registry:org_list"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL", ""),
    }
    if env_str("REDIS_URL", "")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True  # inactivity timeout: each request extends the 30 minutes
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks, e.g.
# "127.0.0.1,10.0.0.0/24"): the client is the right-most address in it that is not one of them
# (core/clientip.py). Empty: REMOTE_ADDR is the client, and the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"GONGXIN_TRUSTED_PROXIES: {exc}") from None

# Permissions-Policy on every response (core.middleware.PermissionsPolicyMiddleware): browser
# features no page needs, denied to every origin ("self" would go in the list to allow one).
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking")}

# Content-Security-Policy on every response (django-csp): everything from this origin only,
# no inline script or style, no framing. Assets are served locally (DESIGN.md), so nothing
# else is needed; a page that needs more must say why here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # narrowed to <origin>/static/ per request (StaticScriptsCSPMiddleware)
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Signed checkpoints of the audit chain's head (core/checkpoints.py), written nightly outside
# the database; the HMAC key of their signatures (empty: derived from the secret key, with a
# warning: set one of its own in production).
AUDIT_CHECKPOINT_DIR = env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", "")
if AUDIT_CHECKPOINT_KEY and not (DEBUG or DEMO) and (_key_problem := secret_key_problem(AUDIT_CHECKPOINT_KEY)):
    raise ImproperlyConfigured(f"GONGXIN_AUDIT_CHECKPOINT_KEY is not a usable key: {_key_problem}.")

# Search: the longest query accepted; longer ones get HTTP 400 with a message.
SEARCH_MAX_QUERY_LENGTH = env_int("SEARCH_MAX_QUERY_LENGTH", 100)
PAGE_SIZE = env_int("PAGE_SIZE", 20)

# Retention of files holding personal data, in days (0: kept for ever); the nightly run purges
# what is older (core.retention). Exports: the Excel file of an export job; imports: the uploaded
# file and its error copy; superseded: attachments no record refers to any more.
RETENTION_EXPORT_DAYS = env_int("RETENTION_EXPORT_DAYS", 30)
RETENTION_IMPORT_DAYS = env_int("RETENTION_IMPORT_DAYS", 90)
RETENTION_SUPERSEDED_DAYS = env_int("RETENTION_SUPERSEDED_DAYS", 7)

PLATFORM_NAME = _("Gongxin social organization platform")

# Open Contracting Data Standard: every purchase project's ocid is OCDS_PREFIX-<project id>.
# A publisher registers its prefix with the Open Contracting Partnership ("ocds-" + 6 characters);
# the default is a placeholder for demo and test data.
OCDS_PREFIX = env_str("OCDS_PREFIX", "ocds-gx0000")
# The platform's public address (https://gongxin.example.gov.cn), for links built without a
# request: OCDS package URIs, document URLs in exports, the verification address and QR code
# printed on certificates and credit reports (core.site). Empty = https://<first allowed host>.
SITE_URL = env_str("SITE_URL", "")
# The OCDS schema zip libcoveocds validates against offline (tests, `gongxin ocds validate`):
# empty = the workspace's ../shared/ocds/standard-1__1__5.zip beside the checkout.
OCDS_STANDARD_ZIP = env_str("OCDS_STANDARD_ZIP", "")
# Where the generated OCDS bulk files live (procurement/ocds_bulk.py): rebuilt by the task worker
# when releases are published, served with ETag / Last-Modified.
OCDS_BULK_DIR = env_str("OCDS_BULK_DIR", str(VAR_DIR / "ocds-bulk"))

# CJK TrueType fonts embedded in every PDF (core/pdf.py): a path each, empty = auto-detect
# Debian's fonts-wqy-microhei (body) and fonts-arphic-gbsn00lp (titles, a Song face).
PDF_FONT_BODY = env_str("PDF_FONT_BODY", "")
PDF_FONT_TITLE = env_str("PDF_FONT_TITLE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
