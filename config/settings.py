"""Settings for Versorgungslotse, read from the environment (django-environ).

DEBUG is off unless set. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be given.
DATABASE_URL defaults to a SQLite file (zero-setup `make run`); CI and production use
PostgreSQL (`postgres://user@host:5432/name`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Required in production (no default); development falls back to an insecure key.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production") if DEBUG else env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_tasks_db",
    "pgtrigger",
    "pghistory",
    "legal",
    "programs",
    "providers",
    "enrollment",
    "reports",
    "backoffice",
    "devdata",  # generators of demo, volume and report data: above every domain app
]

MIDDLEWARE = [
    "config.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backoffice.context.AuditContextMiddleware",
    "backoffice.access_log.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: ends idle, too old and signed-out-everywhere sessions with a message.
    "enrollment.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a lockout flagged during authentication into the German lockout page.
    "axes.middleware.AxesMiddleware",
]

# The lockout check runs first on every password login; it skips programmatic calls without a
# request (test client, shell). Passkeys sign in through django-otp-webauthn's backend.
AUTHENTICATION_BACKENDS = [
    "enrollment.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "django_otp_webauthn.backends.WebAuthnBackend",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enrollment.accounts.sessions.context",
            ],
            "builtins": ["programs.templatetags.dates"],
        },
    },
]
FORM_RENDERER = "config.forms.KernFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# With persistent connections, check each one before a request reuses it (after a database
# restart the first request then reconnects instead of failing).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout make the dev server and the task worker coexist.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Take the write lock when a transaction begins: two requests that both read and
            # then write (three identical declarations at once) queue on the busy timeout
            # instead of failing with "database is locked" when the reader tries to upgrade.
            "transaction_mode": "IMMEDIATE",
        }
    )
# A read replica of the primary (PostgreSQL streaming replication), used for the reports'
# reads (config/db_routers.py). In tests it mirrors "default".
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_HEALTH_CHECKS"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPORTS_READ_DATABASE = env("REPORTS_READ_DATABASE", default="replica" if "replica" in DATABASES else "")
if REPORTS_READ_DATABASE and REPORTS_READ_DATABASE not in DATABASES:
    raise ImproperlyConfigured(f"REPORTS_READ_DATABASE={REPORTS_READ_DATABASE} is not a database alias.")
DATABASE_ROUTERS = ["config.db_routers.ReportsReadReplicaRouter"]
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "enrollment.accounts.passwords.GermanCommonPasswordValidator"},
]
LOGIN_URL = "login"
# Every staff account and the superuser need a second factor (TOTP or passkey) for /verwaltung/.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# German number formats come from the "de" locale (USE_THOUSAND_SEPARATOR adds the dots).
USE_THOUSAND_SEPARATOR = True
# One date format per language (config/formats/<lang>/formats.py, programs/dates.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def mailer_from_url(url: str) -> dict:
    """`smtp://user:pass@host:25`, `smtp+tls://…:587` (STARTTLS) or `smtp+ssl://…:465` → a MAILERS entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtp+ssl"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp+tls://user:password@host:587, not {parts.scheme}://…"
        )
    options = {
        "host": parts.hostname,
        "port": parts.port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[parts.scheme],
        "use_tls": parts.scheme == "smtp+tls",
        "use_ssl": parts.scheme == "smtp+ssl",
        "timeout": int(parse_qs(parts.query).get("timeout", ["10"])[0]),
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


# Django 6.1 mailers. Development prints mails on the console. Production must name a real
# mail server (EMAIL_URL) or backend (EMAIL_BACKEND): confirmation and password-reset links
# in the application log would be an account takeover waiting to happen, so the start fails.
CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"
if env("EMAIL_URL", default=""):
    MAILERS = {"default": mailer_from_url(env("EMAIL_URL"))}
else:
    MAILERS = {"default": {"BACKEND": env("EMAIL_BACKEND", default=CONSOLE_MAIL if DEBUG else "")}}
if not DEBUG and MAILERS["default"]["BACKEND"] in {"", CONSOLE_MAIL}:
    raise ImproperlyConfigured(
        "Production needs a mail server: set EMAIL_URL=smtp+tls://user:password@mail.example:587 "
        "(see docs/deployment.md). The console backend would write confirmation and password-reset "
        "links into the application log."
    )
# Absolute links in mails sent outside a request (daily command reminders).
SITE_URL = env("SITE_URL", default="")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Versorgungslotse <noreply@versorgungslotse.example>")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://versorgungslotse")}
# New anonymous catalogue pages cached per 10-minute window (programs/caching.py); beyond it pages
# are answered uncached. Pages are 10-50 kB: 1000 per window keep the cache under ~100 MB.
CATALOGUE_PAGE_CACHE_MAX_ENTRIES = env.int("CATALOGUE_PAGE_CACHE_MAX_ENTRIES", default=1000)

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Content Security Policy (Django's built-in middleware): no inline scripts or styles;
# the htmx script tag carries the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Client addresses behind a reverse proxy (docs/security.md): X-Forwarded-For is read only when
# the direct peer (REMOTE_ADDR) is one of these addresses or networks, e.g. "127.0.0.1,10.0.0.0/8".
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Brute-force protection on every login step (django-axes, database handler: shared by all
# workers). Locked after LOGIN_FAILURE_LIMIT failures of one user name from one client address,
# or LOGIN_USERNAME_FAILURE_LIMIT failures of one user name from anywhere; unlocked after
# LOGIN_COOLOFF_MINUTES or by a fund administrator (permission enrollment.unlock_login).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "enrollment.accounts.lockout.PortalAxesHandler"
# Reports hide counts of people below this number ("< 5"), see reports/suppression.py.
REPORT_MIN_COUNT = env.int("REPORT_MIN_COUNT", default=5)
# Ended participations are deleted this many years after their end (backoffice/retention.py).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=10)
if RETENTION_YEARS < 1:
    raise ImproperlyConfigured("RETENTION_YEARS must be at least 1")

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_USERNAME_CALLABLE = "enrollment.accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "enrollment.accounts.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "enrollment.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the fund-scoped unlock page replaces axes' own admin
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept here (no personal data piles up)
AXES_VERBOSE = False

# Passkeys (django-otp-webauthn). The relying party id is the host name the portal is served
# under; without WEBAUTHN_RP_ID it is taken from the request (development, tests).
OTP_WEBAUTHN_RP_NAME = "Versorgungslotse"
OTP_WEBAUTHN_RP_ID_CALLABLE = "enrollment.accounts.second_factor.webauthn_rp_id"
OTP_WEBAUTHN_HELPER_CLASS = "enrollment.accounts.second_factor.PortalWebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "django_otp_webauthn"
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="")
# Origins a passkey ceremony may come from, e.g. "https://portal.aok.example"; empty: the
# request's own origin (its host is checked against ALLOWED_HOSTS).
WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ALLOWED_ORIGINS", default=[])
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_ALLOWED_ORIGINS or ["http://localhost"]  # the helper decides

# The database store, except that an unreachable database is an outage (503), not a deleted
# session; read from the cache first when the cache is shared by every process (Redis, memcached).
SHARED_CACHE_BACKENDS = ("django.core.cache.backends.redis.", "django.core.cache.backends.memcached.")


def session_engine_for(caches: dict) -> str:
    """The session store for these CACHES (settings that replace CACHES call it again)."""
    shared = caches["default"]["BACKEND"].startswith(SHARED_CACHE_BACKENDS)
    return "config.cached_session_store" if shared else "config.session_store"


SESSION_ENGINE = session_engine_for(CACHES)
SESSION_COOKIE_HTTPONLY = True
# Sessions end after SESSION_IDLE_MINUTES without a request (with a warning that lets the person
# extend) and SESSION_ABSOLUTE_HOURS after sign-in (enrollment/accounts/sessions.py).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page of the portal uses are switched off for every page (and for anything
# injected into one). WebAuthn (passkeys) needs publickey-credentials-* on our own origin.
PERMISSIONS_POLICY = env(
    "PERMISSIONS_POLICY",
    default="accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), interest-cohort=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)",
)
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    # Behind a TLS reverse proxy: redirect plain HTTP and trust the proxy's X-Forwarded-Proto
    # (the proxy must set it and strip it from clients; see docs/deployment.md).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The health endpoint is asked over plain HTTP by the load balancer on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No KVNR or name in server logs: query values of request lines are masked (docs/audit.md).
    "filters": {
        "redact_query": {"()": "config.logging.RedactQueryFilter"},
        "request_id": {"()": "config.logging.RequestIdFilter"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "text": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_query", "request_id"],
            # LOG_FORMAT=json: one JSON object per line with the request id (docs/deployment.md)
            "formatter": env("LOG_FORMAT", default="text"),
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_query"]},
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_query"],
        },
        "django.request": {"filters": ["redact_query"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The public reference data shipped in data/reference (licences in its README; see
# docs/import-formats.md); deployments may point to newer releases.
REFERENCE_DATA_DIR = env.path("REFERENCE_DATA_DIR", default=BASE_DIR / "data" / "reference")

# Audit trail (django-pghistory, PostgreSQL triggers; docs/audit.md). The trigger on the
# role-membership table of django.contrib.auth cannot live in a migration of this project:
# pgtrigger installs it after every `migrate` (PostgreSQL only, idempotent).
PGTRIGGER_INSTALL_ON_MIGRATE = True
