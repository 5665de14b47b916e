"""Essaim settings: one module, every deployment choice read from the environment.

The defaults need no server at all (SQLite under ``var/`` and a Celery broker
kept in files under ``var/broker``) so that a fresh checkout runs web, worker
and beat as three real processes. Production sets ``DATABASE_URL`` and
``REDIS_URL``; see the configuration table in the README.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ESSAIM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Outside development a missing SECRET_KEY stops the start instead of using a guessable one.
SECRET_KEY = env.str("SECRET_KEY", default="essaim-dev-only-not-secret") if DEBUG else env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The unaccent lookup for searches on PostgreSQL (its extension: events/migrations).
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "network",
    "spaces",
    "events",
    "passes",
    "feeds",
    "worker",
    "accounts",
    "programme",
    "imports",
    "observatory",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.middleware.BodySizeMiddleware",
    "backend.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "backend.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'essaim.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the writer instead of
    # failing with "database is locked", and let readers run beside it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "network.Person"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:signin"
# Verification and password-reset links expire after this many seconds (they also serve once).
PASSWORD_RESET_TIMEOUT = env.int("ACCOUNT_LINK_SECONDS", default=3 * 24 * 3600)
# An invitation (to a role, or to take a pass sold to a new address) expires after this many days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
# Clash hints flag published events this close (in km) around the same time (events/selectors.py).
EVENT_CLASH_RADIUS_KM = env.float("EVENT_CLASH_RADIUS_KM", default=15.0)

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English date formats: day first (backend/formats/en).
FORMAT_MODULE_PATH = ["backend.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Request limits ---------------------------------------------------------
# DRF reads JSON bodies through request.body, so this limit covers the API too (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
# Views that take a file (an event's image) accept bodies up to this size, so that a file
# over the image limit is refused on its field rather than by a bare 413.
UPLOAD_MAX_BODY_BYTES = env.int("UPLOAD_MAX_BODY_BYTES", default=32 * 1024 * 1024)
EVENT_IMAGE_MAX_BYTES = env.int("EVENT_IMAGE_MAX_BYTES", default=10 * 1000 * 1000)

# --- Email ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# Django's SMTP backend, waiting at each step as RFC 5321 recommends (worker/smtp.py).
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "worker.smtp.EmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Essaim <noreply@essaim.localhost>")
# Seconds each SMTP step may wait (RFC 5321 §4.5.3.2), EMAIL_TIMEOUT_<STEP> to change one. The
# reply after the body gets 10 minutes: a server may take that long to queue a message, and
# giving up sooner sends it twice.
EMAIL_TIMEOUTS = {
    step: env.float(f"EMAIL_TIMEOUT_{step.upper()}", default=seconds)
    for step, seconds in {"connection": 300, "mail": 300, "rcpt": 300, "data_initiation": 120,
                          "data_block": 180, "data_termination": 600}.items()
}

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The file broker ignores the host; naming one spares a kombu warning on every task sent.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(BROKER_DIR / "control"),
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this many seconds (its worker died) is delivered again.
    # No task may be given an ETA or countdown further away than this: Redis would hand it to
    # a second worker before it is due. Later work is a database row a periodic scan claims.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Deployments (or test runs) sharing one Redis each use their own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Cache (rate limits, coalescing marks) --------------------------------------
# Redis when there is one, so that every web process counts the same limits;
# CACHE_BACKEND=locmem keeps them per process (the test suite uses it).
CACHE_BACKEND = env.str("CACHE_BACKEND", default="redis" if REDIS_URL else "locmem")
CACHES = {
    "default": (
        {"BACKEND": "backend.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "essaim", "TIMEOUT": 300,
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if CACHE_BACKEND == "redis"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Outbox -----------------------------------------------------------------
# How long a scan owns the batch it claims before sending it: after a crash, the messages
# of the batch that were not being sent come back this late.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
# How long an outbox task may run: half a lease of quick messages, then one message that
# meets every SMTP step's longest wait (plus EHLO, STARTTLS and AUTH).
OUTBOX_TASK_TIME_LIMIT = env.int(
    "OUTBOX_TASK_TIME_LIMIT", default=OUTBOX_LEASE_SECONDS // 2 + int(sum(EMAIL_TIMEOUTS.values())) + 300)
# A message whose delivery outcome is unknown is tried once more this late (a person decides
# after a second unknown outcome). It is also how long a worker owns the message it is
# sending: longer than an outbox task may run, so no second worker sends it meanwhile.
OUTBOX_UNKNOWN_RETRY_SECONDS = env.int("OUTBOX_UNKNOWN_RETRY_SECONDS", default=3600)
if OUTBOX_UNKNOWN_RETRY_SECONDS <= OUTBOX_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("OUTBOX_UNKNOWN_RETRY_SECONDS must exceed OUTBOX_TASK_TIME_LIMIT")
# How often beat runs the scan that sends whatever the broker did not deliver.
OUTBOX_SCAN_SECONDS = env.float("OUTBOX_SCAN_SECONDS", default=60.0)
# How often due event reminders are looked for (seconds).
REMINDER_SCAN_SECONDS = env.float("REMINDER_SCAN_SECONDS", default=60.0)
# Imported agendas (docs/imports.md): how often beat looks for sources due a sync, and the
# loopback ports a source URL may reach anyway (tests, a development machine; none in production).
IMPORTS_SCAN_SECONDS = env.float("IMPORTS_SCAN_SECONDS", default=60.0)
IMPORTS_LOOPBACK_PORTS = env.list("IMPORTS_LOOPBACK_PORTS", cast=int, default=[])
# From this day of a month on, last month's pass settlement closes by itself (coordinators may
# close it earlier); late corrections become adjustments in the next month.
SETTLEMENT_CLOSE_DAY = env.int("SETTLEMENT_CLOSE_DAY", default=5)

# --- The map and geocoding (docs/programme.md) ------------------------------------
# Tiles of the agenda's map: any {z}/{x}/{y} template; OpenStreetMap's by default (their
# usage policy asks for light use and the attribution below).
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.str(
    "MAP_TILES_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>')
# The French national address API (https://api-adresse.data.gouv.fr/search/) or a copy of it;
# empty: addresses are not geocoded and events without coordinates are listed beside the map.
GEOCODER_URL = env.str("GEOCODER_URL", default="")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=5.0)
# How many WeasyPrint processes lay out the parts of a large printed programme at once;
# 0: one per core the worker may use.
BROCHURE_PROCESSES = env.int("BROCHURE_PROCESSES", default=0)

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "backend.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "backend.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "backend.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="10/minute"),
        "registration": env.str("THROTTLE_REGISTRATION", default="30/minute"),
        # Sign-up, verification and reset requests: per client address, and per email address.
        "account": env.str("THROTTLE_ACCOUNT", default="10/minute"),
        "account_email": env.str("THROTTLE_ACCOUNT_EMAIL", default="5/hour"),
        "computations": env.str("THROTTLE_COMPUTATIONS", default="30/hour"),
    },
    # Rate limits key on the client address: REMOTE_ADDR, or the address that the
    # TRUSTED_PROXIES-th proxy from the right saw in X-Forwarded-For. With 0 the
    # header is ignored, so a forged X-Forwarded-For cannot reset a limit.
    "NUM_PROXIES": env.int("TRUSTED_PROXIES", default=0),
    # "?format=" filters events by format (café métiers, forum…); responses are JSON anyway.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Essaim API",
    "DESCRIPTION": "Événements partagés, pass coworking multi-espaces et agendas iCal pour l'ESS.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: many deployments have no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.models.EventStatus",
        "EditableEventStatusEnum": "events.api.EDITABLE_STATUSES",
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        "PassStatusEnum": "passes.models.PassStatus",
        "CoOrganizationStatusEnum": "events.models.CoOrganizationStatus",
        "InvitationStatusEnum": "accounts.models.InvitationStatus",
        "LanguageEnum": "backend.settings.LANGUAGES",
    },
}

# --- Security (production) --------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
