"""Settings for the portal, read from environment variables.

Development defaults are safe to run locally; with DEBUG off the portal refuses to
start on the development secret key or without ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from common.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused when DEBUG is off


def env_bool(name, default):
    """Read a yes/no environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DEBUG is off but SECRET_KEY is the development key (or shorter than 50 "
            "characters, or too repetitive). Set SECRET_KEY to a long random value, for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG is off but ALLOWED_HOSTS is empty. Set ALLOWED_HOSTS to the host names "
            "the portal answers on, comma-separated, for example ALLOWED_HOSTS=clinic.example.org."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prose_editor",
    "ninja",  # the API's docs page (Swagger UI) from its own static files, not a CDN
    "portal",
    "search",
    "articles",
    "experts",
    "common",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.api_http.SystemRoutesMiddleware",  # before the page cache: counts cached hits too
    "portal.middleware.RejectNulMiddleware",  # 400, not 500, for NUL bound for the database
    "portal.cache.PageCacheMiddleware",  # outside CSP etc.: stored pages keep their headers
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside the page cache, which keys pages by path: the language comes from the path
    # alone (/es/…), never from Accept-Language or a cookie. Before CommonMiddleware, so
    # its added-slash redirects resolve /es/ addresses.
    "portal.languages.PathLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # marks the user verified by a second factor
    "portal.two_factor.SecondFactorMiddleware",  # staff finish signing in before anything else
    "portal.audit.AuditMiddleware",  # tells the audit trail who is acting
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite file in the project folder by default; PostgreSQL in production via
# DATABASE_URL=postgres://user:password@host:5432/name.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while the admin writes; IMMEDIATE transactions take the
    # write lock up front and the busy timeout waits for it, so concurrent admin saves
    # queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
# Local memory by default (one process); REDIS_URL (or CACHE_URL) shares the cache
# between gunicorn workers and hosts.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
        }
    }
elif CACHE_URL.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif CACHE_URL and not CACHE_URL.startswith("locmem://"):
    raise ImproperlyConfigured(
        f"CACHE_URL {CACHE_URL!r} is not understood: use redis://host:6379/0, "
        "locmem:// or dummy://."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Anonymous visitors get whole pages from this cache (portal/cache.py; PAGE_CACHE=0 turns
# it off). The local-memory cache is per process, so the processes of one machine learn
# of edits through a small stamp file (in the temp folder unless set here; give it a
# shared path if the web server and manage.py see different temp folders). Redis needs
# no stamp file.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_STAMP_FILE = os.environ.get("PAGE_CACHE_STAMP_FILE", "")

# --- django-taggit ---------------------------------------------------------------
# Tag pages are addressed by slug: "Ménière" gets "meniere", never a non-ASCII slug
# (an emoji-only tag gets tag-1, tag-2 … from articles/apps.py).
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True

# --- Handout PDFs (articles/pdf_limits.py) ------------------------------------------
# A PDF costs about a third of a second of CPU per thousand words. Longer handouts get a
# page offering the browser's print view; a render is stopped after the timeout (keep it
# below gunicorn's --timeout, 30 s by default); at most this many renders run at once on
# the machine, beyond which the answer is 503 with Retry-After so pages keep their workers.
PDF_MAX_WORDS = int(os.environ.get("PDF_MAX_WORDS", "20000"))
PDF_RENDER_TIMEOUT = float(os.environ.get("PDF_RENDER_TIMEOUT", "20"))
PDF_RENDERS_AT_ONCE = int(os.environ.get("PDF_RENDERS_AT_ONCE", "1"))

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]

# --- django-axes: admin login throttling ----------------------------------------
# Five failed attempts lock that username from that address for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A password alone is half a sign-in: failures are forgotten only once the second factor
# passes too (portal/two_factor.py), so wrong codes after a right password still add up.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]  # codes are never logged
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None

# --- Content API and Infobutton (portal/api.py, portal/infobutton.py) -------------
# Requests per client address to /api/, as "requests/seconds" in fixed windows, counted
# in the cache above (per process with the local-memory cache: set REDIS_URL to share
# the count between workers); "0" turns the limit off. Answers from the page cache count.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/60")
# Origins whose pages may read /api/ and /infobutton/ answers from a browser (CORS),
# e.g. https://ehr.example.org; "*" for any. Empty: CORS stays off.
API_CORS_ORIGINS = env_list("API_CORS_ORIGINS")

# --- Two-factor sign-in for staff (django-otp; portal/two_factor.py) --------------
# "required": every staff account enrols an authenticator app (TOTP) at first sign-in and
# gives a code at every sign-in. "optional": only accounts that enrolled are asked for a
# code, so a fresh development database signs in with a password (make run).
STAFF_2FA = os.environ.get("STAFF_2FA", "optional" if DEBUG else "required").strip().lower()
if STAFF_2FA not in {"required", "optional"}:
    raise ImproperlyConfigured(f"STAFF_2FA must be 'required' or 'optional', not {STAFF_2FA!r}.")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Clinic portal")
# Superusers manage devices in the admin but never see another person's secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Internationalisation -------------------------------------------------------
# English at today's addresses, Spanish under /es/ (portal/languages.py). To add a
# language: add it here, translate locale/<code>/LC_MESSAGES/django.po, add
# portal/formats/<code>/formats.py (see README, "Languages").
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats ("15 September 2026", "15 de septiembre de 2026"), used through
# the format names: {{ day|date:"DATE_FORMAT" }}.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Hashed, compressed names need collectstatic, so development serves plain names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Source maps are read only by developer tools, and brotli at its best setting took most of
# collectstatic's time on them (95 s for the whole collection, 11 MB of maps): not compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Uploads: images only, 5 MB at most (checked by the model validators too).
MAX_UPLOAD_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # an article form with many inlines has many fields

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER"):
    # e.g. "HTTP_X_FORWARDED_PROTO=https" when a proxy terminates TLS.
    name, _, value = proxy_header.partition("=")
    SECURE_PROXY_SSL_HEADER = (name.strip(), value.strip() or "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # HSTS preload is a one-way commitment for the whole domain; the clinic opts in.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- django-csp: Content-Security-Policy ----------------------------------------
# Everything is served by the portal itself: no inline script, no third parties.
# The admin's rich-text editor (Tiptap in django-prose-editor 0.28.0) injects one fixed
# <style> block; its hash lets exactly that block through. A test checks it against the
# installed editor.js, so an upgrade that changes the block fails loudly.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # the nonce only for the admin editor's import map
        "style-src": [SELF, PROSE_EDITOR_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging --------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Absolute base URL for links printed on handouts, feeds and sitemaps when no request
# tells it (e.g. https://clinic.example.org).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# --- Email: workflow notifications and the weekly review digest -------------------
# EMAIL_URL=smtp://user:password@host:587 (STARTTLS on 587 or with ?tls=1), smtps://… (TLS
# from the start, port 465) or console://; or the usual EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS. With neither, mails are printed
# to the console (the server's log) instead of sent, in production too, and
# `check --deploy` warns (articles.W001): the portal never fails for want of a mail server.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_URL"):
    try:
        globals().update(parse_email_url(os.environ["EMAIL_URL"]))
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from error
elif os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
