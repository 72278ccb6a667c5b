"""Barneby settings: one module, driven by environment variables.

Every setting is documented in ``.env.example``. Defaults are safe for a
developer machine; production is selected by ``DJANGO_DEBUG=0`` together with
real secrets, and refuses to start without them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import dev_secret, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BARNEBY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DEBUG is off")
    SECRET_KEY = dev_secret(VAR_DIR / "dev-secret-key")

# Keys for encrypted model fields, newest first; older keys only decrypt.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
if not FIELD_ENCRYPTION_KEYS:
    _keys_file = env_secret("FIELD_ENCRYPTION_KEYS")
    FIELD_ENCRYPTION_KEYS = [k.strip() for k in _keys_file.replace("\n", ",").split(",") if k.strip()]
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) must be set when DEBUG is off; "
            "generate one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    FIELD_ENCRYPTION_KEYS = [dev_secret(VAR_DIR / "dev-field-key", fernet=True)]

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("BARNEBY_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    # Not django_otp.plugins.otp_totp: it stores TOTP secrets in plain hex;
    # accounts.AuthenticatorDevice encrypts them (migration 0003 moved the old rows).
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    "barneby.core",
    "barneby.accounts",
    "barneby.audit",
    "barneby.api",
    "barneby.organisation",
    "barneby.care",
    "barneby.placements",
    "barneby.fundraising",
    "barneby.sponsorships",
    "barneby.partners",
    "barneby.newsletter",
    "barneby.results",
    "barneby.programme_review",
    "barneby.reporting",
    "barneby.safeguarding",
    "barneby.imports",
    # The public website (issue 16): Wagtail pages in nb and en, edited by the communications role.
    "barneby.website",
    "django.contrib.sitemaps",
    "wagtail.contrib.sitemaps",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.images",
    "wagtail.documents",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "barneby.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "barneby.api.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "barneby.core.middleware.LanguageMiddleware",
    # The public website's language comes from its address (/en/...), not the cookie.
    "barneby.website.middleware.WebsiteMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "barneby.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "barneby.core.access.AccessMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "barneby.core.context_processors.barneby",
                "barneby.website.context_processors.website",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "barneby.sqlite3"),
            "OPTIONS": {
                # WAL and a busy timeout let the dev server and a worker share the file.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Staff who can see personal data must have a verified second factor.
BARNEBY_REQUIRE_2FA = env_bool("BARNEBY_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Barneby"
# Setting up an authenticator needs a one-time link by e-mail or a code from an
# administrator (not just the password); both expire after this many minutes.
BARNEBY_2FA_ENROLMENT_MINUTES = env_int("BARNEBY_2FA_ENROLMENT_MINUTES", 30, minimum=5)

# Reverse proxies (load balancers) in front of the application whose
# X-Forwarded-For entries are trusted: 0 trusts none and uses REMOTE_ADDR.
# With N, the client is the N-th address from the right of X-Forwarded-For.
BARNEBY_TRUSTED_PROXY_COUNT = env_int("BARNEBY_TRUSTED_PROXY_COUNT", 0, minimum=0)

AXES_FAILURE_LIMIT = env_int("BARNEBY_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BARNEBY_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Lock an account from one address only: locking by address alone would lock
# every user behind a shared NAT, and by username alone would let anyone lock a
# named colleague out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "barneby.audit.services.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "barneby.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SESSION_IDLE_TIMEOUT = env_int("BARNEBY_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("BARNEBY_SESSION_ABSOLUTE_HOURS", 10, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = env_int("BARNEBY_PASSWORD_RESET_MINUTES", 60, minimum=5) * 60

# --- Security headers ----------------------------------------------------------
SECURE = env_bool("BARNEBY_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = SECURE and env_bool("BARNEBY_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BARNEBY_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("BARNEBY_HSTS_SECONDS", 31536000 if SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/designsystemet-css", NODE_MODULES / "@digdir" / "designsystemet-css" / "dist" / "src"),
    ("vendor/designsystemet-theme", NODE_MODULES / "@digdir" / "designsystemet-theme" / "brand"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("BARNEBY_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Barneby <ikke-svar@barneby.example>")

# --- Background tasks ----------------------------------------------------------------
# "immediate" runs a task inside the request (no worker needed); "database"
# queues it for `manage.py db_worker`.
TASKS_BACKEND = env_str("BARNEBY_TASKS_BACKEND", "immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"BARNEBY_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}, got {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# --- Shared state across app servers ----------------------------------------------------
# Nothing may live in one process's memory: sessions are in the database (Django's default
# engine), sign-in lockout counters too (django-axes' database handler), task progress in the
# task tables, and the cache (key figures, tax reports) in Redis when REDIS_URL is set
# (redis://host:6379/0), else in the database with BARNEBY_CACHE=database (run
# `manage.py createcachetable` once), else in this process's memory: fine for one process only.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
REDIS_URL = env_str("REDIS_URL", "")
CACHE_KIND = "redis" if REDIS_URL else env_str("BARNEBY_CACHE", "local")
_CACHE_BACKENDS = {
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "barneby_cache"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "barneby"},
}
if CACHE_KIND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"BARNEBY_CACHE must be one of {sorted(_CACHE_BACKENDS)}, got {CACHE_KIND!r}")
CACHES = {"default": {**_CACHE_BACKENDS[CACHE_KIND], "KEY_PREFIX": env_str("BARNEBY_CACHE_PREFIX", "barneby")}}

# --- Backups (barneby/core/backup.py) -----------------------------------------------------
# `manage.py backup` encrypts its archives with this key (32 bytes, URL-safe base64; make one with
# `manage.py backup --generate-key`). It is the operator's, kept apart from FIELD_ENCRYPTION_KEYS and
# from the backups themselves; without it no backup can be read.
BACKUP_ENCRYPTION_KEY = env_secret("BACKUP_ENCRYPTION_KEY")
# Where the scheduled backup task writes its archives, and how many it keeps.
BACKUP_DIR = Path(env_str("BARNEBY_BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP = env_int("BARNEBY_BACKUP_KEEP", 14, minimum=1)

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("BARNEBY_LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes logs every attempt with the username; our audit log records them instead.
        "axes": {"level": "WARNING"},
    },
}

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
# Personal API tokens live at most this many days; a token without an expiry gets the maximum.
API_TOKEN_MAX_DAYS = env_int("BARNEBY_API_TOKEN_MAX_DAYS", 90, minimum=1)

# --- Identity numbers ----------------------------------------------------------------
# Accept Skatteetaten's synthetic test numbers (month + 80). On in tests and demo only.
IDENTITY_ALLOW_SYNTHETIC = env_bool("BARNEBY_IDENTITY_ALLOW_SYNTHETIC", DEBUG)

# --- Care rules (NORMS.md §5.2); every threshold is a setting with the default given there ---
CARE_RULES = {
    "R4_REASSESS_GRACE_DAYS": env_int("BARNEBY_R4_REASSESS_GRACE_DAYS", 0, minimum=0),
    "R5_REVIEW_INTERVAL_DAYS": env_int("BARNEBY_R5_REVIEW_INTERVAL_DAYS", 92, minimum=1),
    "R7_EMERGENCY_MAX_DAYS": env_int("BARNEBY_R7_EMERGENCY_MAX_DAYS", 92, minimum=1),
    "R12_AFTERCARE_LEAD_DAYS": env_int("BARNEBY_R12_AFTERCARE_LEAD_DAYS", 183, minimum=1),
    "R14_RECONTACT_DAYS": env_int("BARNEBY_R14_RECONTACT_DAYS", 365, minimum=1),
    "R16_VOICE_MIN_AGE": env_int("BARNEBY_R16_VOICE_MIN_AGE", 7, minimum=0),
    "R18_MIN_AGE": env_int("BARNEBY_R18_MIN_AGE", 3, minimum=0),
    "R18_GRACE_DAYS": env_int("BARNEBY_R18_GRACE_DAYS", 14, minimum=0),
    "R19_MAX_MOVES": env_int("BARNEBY_R19_MAX_MOVES", 2, minimum=1),
    "R19_WINDOW_DAYS": env_int("BARNEBY_R19_WINDOW_DAYS", 365, minimum=1),
    "R22_SETTLEMENT_DAYS": env_int("BARNEBY_R22_SETTLEMENT_DAYS", 92, minimum=1),
    "R27_FOLLOW_UP_MONTHS": (6, 12),
    "R27_FOLLOW_UP_GRACE_DAYS": env_int("BARNEBY_R27_FOLLOW_UP_GRACE_DAYS", 31, minimum=0),
    "AFTERCARE_END_AGE": env_int("BARNEBY_AFTERCARE_END_AGE", 25, minimum=18),
    "MOVE_MAX_GAP_DAYS": env_int("BARNEBY_MOVE_MAX_GAP_DAYS", 31, minimum=0),
}
# Aggregated figures hide counts below this (small-cell suppression).
CARE_SMALL_CELL = env_int("BARNEBY_CARE_SMALL_CELL", 5, minimum=1)

# --- Vipps on the public website -------------------------------------------------------
# The provider class for Vipps recurring agreements (a dotted path). Without one, Vipps is not offered
# on the sign-up, unless the fake provider (approves on a page of our own, moves no money) is switched
# on: in development and tests only.
WEBSITE_VIPPS_PROVIDER = env_str("BARNEBY_VIPPS_PROVIDER", "")
WEBSITE_VIPPS_FAKE = env_bool("BARNEBY_VIPPS_FAKE", DEBUG)
if WEBSITE_VIPPS_FAKE and not DEBUG and env_bool("BARNEBY_SECURE", True):
    raise ImproperlyConfigured("BARNEBY_VIPPS_FAKE is for development and tests: it approves without Vipps")

# --- Fundraising: KID, AvtaleGiro claims, OCR payments (FUNDRAISING.md §2, §3) ----------------
# KID length and modulus are fixed in the payee agreement with Nets. MOD10 by default: netsgiro
# cannot read back a MOD11 KID whose check digit is "-".
FUNDRAISING_KID_LENGTH = env_int("BARNEBY_KID_LENGTH", 12, minimum=6)
FUNDRAISING_KID_MODULUS = env_str("BARNEBY_KID_MODULUS", "MOD10").upper()
if FUNDRAISING_KID_MODULUS not in {"MOD10", "MOD11"}:
    raise ImproperlyConfigured(f"BARNEBY_KID_MODULUS must be MOD10 or MOD11, got {FUNDRAISING_KID_MODULUS!r}")
if FUNDRAISING_KID_LENGTH > 25:
    raise ImproperlyConfigured(f"BARNEBY_KID_LENGTH must be at most 25 (the Nets field), got {FUNDRAISING_KID_LENGTH}")
# Day of the month on which AvtaleGiro claims fall due (Nets moves non-business days forward).
FUNDRAISING_CLAIM_DAY = env_int("BARNEBY_CLAIM_DAY", 20, minimum=1)
if FUNDRAISING_CLAIM_DAY > 28:
    raise ImproperlyConfigured(f"BARNEBY_CLAIM_DAY must be 1-28 so every month has it, got {FUNDRAISING_CLAIM_DAY}")
# The organisation's Nets identifiers: customer unit id (8 digits), OCR agreement id (9), account (11).
FUNDRAISING_NETS_CUSTOMER_UNIT_ID = env_str("BARNEBY_NETS_CUSTOMER_UNIT_ID", "00010200")
FUNDRAISING_NETS_AGREEMENT_ID = env_str("BARNEBY_NETS_AGREEMENT_ID", "001008566")
FUNDRAISING_NETS_ACCOUNT = env_str("BARNEBY_NETS_ACCOUNT", "99991042764")
for _name, _value, _digits in (
    ("BARNEBY_NETS_CUSTOMER_UNIT_ID", FUNDRAISING_NETS_CUSTOMER_UNIT_ID, 8),
    ("BARNEBY_NETS_AGREEMENT_ID", FUNDRAISING_NETS_AGREEMENT_ID, 9),
    ("BARNEBY_NETS_ACCOUNT", FUNDRAISING_NETS_ACCOUNT, 11),
):
    if len(_value) != _digits or not _value.isdigit():
        raise ImproperlyConfigured(f"{_name} must be {_digits} digits, got {_value!r}")
# Generated claim files are written here (never served).
FUNDRAISING_FILES_DIR = Path(env_str("BARNEBY_FUNDRAISING_FILES_DIR", str(VAR_DIR / "fundraising")))
# Monthly sponsorship amounts (NOK): presets offered on sign-up, and the accepted range.
FUNDRAISING_MONTHLY_PRESETS = [int(v) for v in env_list("BARNEBY_MONTHLY_PRESETS", ["250", "350", "500"])]
FUNDRAISING_MONTHLY_MIN = env_int("BARNEBY_MONTHLY_MIN", 100, minimum=1)
FUNDRAISING_MONTHLY_MAX = env_int("BARNEBY_MONTHLY_MAX", 50000, minimum=1)
if not FUNDRAISING_MONTHLY_MIN <= FUNDRAISING_MONTHLY_MAX:
    raise ImproperlyConfigured("BARNEBY_MONTHLY_MIN must not be above BARNEBY_MONTHLY_MAX")
# Tax deduction for gifts (skatteloven § 6-50): minimum per donor and year, and the maximum by income year.
# Later years are added with BARNEBY_TAX_DEDUCTION_MAX="2027:25000" once Skatteetaten publishes them;
# the report refuses a year missing from the table.
FUNDRAISING_TAX_DEDUCTION_MIN = env_int("BARNEBY_TAX_DEDUCTION_MIN", 500, minimum=0)
# 2026: 25 000 as in the state budget proposal; check Skatteetaten's rates page for the income year before reporting.
FUNDRAISING_TAX_DEDUCTION_MAX: dict[int, int] = {2022: 25000, 2023: 25000, 2024: 25000, 2025: 25000, 2026: 25000}
for _entry in env_list("BARNEBY_TAX_DEDUCTION_MAX", []):
    _year, _sep, _cap = _entry.partition(":")
    if not (_sep and _year.strip().isdigit() and _cap.strip().isdigit()):
        raise ImproperlyConfigured(f"BARNEBY_TAX_DEDUCTION_MAX entries are YEAR:AMOUNT, got {_entry!r}")
    FUNDRAISING_TAX_DEDUCTION_MAX[int(_year)] = int(_cap)
# The reporting organisation (oppgavegiver) for RF-1310: organisasjonsnummer and the contact Skatteetaten notifies.
FUNDRAISING_ORGANISATION_NUMBER = env_str("BARNEBY_ORGANISATION_NUMBER", "")
FUNDRAISING_TAX_CONTACT = {
    "navn": env_str("BARNEBY_TAX_CONTACT_NAME", ""),
    "telefonnummer": env_str("BARNEBY_TAX_CONTACT_PHONE", ""),
    "varselEpostadresse": env_str("BARNEBY_TAX_CONTACT_EMAIL", ""),
    "varselSmsMobilnummer": env_str("BARNEBY_TAX_CONTACT_SMS", ""),
}

# --- Newsletter: double opt-in (FUNDRAISING.md §4) -----------------------------------------------
# Days a confirmation link stays valid; the version of the consent text shown where people sign up.
NEWSLETTER_CONFIRM_DAYS = env_int("BARNEBY_NEWSLETTER_CONFIRM_DAYS", 7, minimum=1)
NEWSLETTER_CONSENT_TEXT_VERSION = env_str("BARNEBY_NEWSLETTER_CONSENT_TEXT_VERSION", "2026-1")

# --- Sponsorships (fadderskap) --------------------------------------------------------------
# Monthly amounts follow FUNDRAISING_MONTHLY_* above, like the payment agreements that pay them.
# Photos of sponsored children (approved profiles only) are stored here and served only through an access check.
SPONSORSHIP_PHOTO_DIR = Path(env_str("BARNEBY_SPONSORSHIP_PHOTO_DIR", str(VAR_DIR / "sponsorships")))
SPONSORSHIP_PHOTO_MAX_BYTES = env_int("BARNEBY_SPONSORSHIP_PHOTO_MAX_BYTES", 2 * 1024 * 1024, minimum=1)

# --- Public website (Wagtail, issue 16) ----------------------------------------------------------
WAGTAIL_SITE_NAME = "Barneby"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
# Editors sign in through Barneby's own sign-in (with the second factor), never Wagtail's.
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
# Approval publishes the reviewed revision; editors themselves cannot publish (barneby/website/workflows.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "barneby.website.workflows.publish_after_review"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp", "gif": "webp", "bmp": "webp"}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("BARNEBY_WEBSITE_IMAGE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# The editor needs Wagtail's documents app, but the site publishes no documents (no group may add them).
WAGTAILDOCS_EXTENSIONS = ["pdf"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("BARNEBY_MEDIA_DIR", str(VAR_DIR / "media")))
# Version of the cookie notice: a visitor whose stored choice is older is asked again.
WEBSITE_CONSENT_VERSION = env_int("BARNEBY_WEBSITE_CONSENT_VERSION", 1, minimum=1)
WEBSITE_CONSENT_DAYS = env_int("BARNEBY_WEBSITE_CONSENT_DAYS", 180, minimum=1)
