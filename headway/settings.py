"""Django settings for Headway, read from the environment (see docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from headway.env import ConfigError, envbool, envdir, envint, envlist, envnetworks, envstr

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("HEADWAY_DATA_DIR", "var")).resolve()

DEBUG = envbool("HEADWAY_DEBUG", False)
SECRET_KEY = envstr("HEADWAY_SECRET_KEY")
if not SECRET_KEY:
    # A local install must work with zero set-up, so a key is generated once and kept
    # in the data directory; production sets HEADWAY_SECRET_KEY or HEADWAY_SECRET_KEY_FILE.
    from headway.secret import data_dir_secret_key

    SECRET_KEY = data_dir_secret_key(DATA_DIR)

ALLOWED_HOSTS = envlist("HEADWAY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("HEADWAY_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "headway.org",
    "headway.okrs",
    "headway.kpis",
    "headway.reports",
    "headway.okrfiles",
    "headway.demo",
    "headway.web",
    "headway.api",
    "headway.audit",
    "headway.feeds",
    "headway.alerts",
    # API helper: ninja as an app serves the API docs' assets locally (no CDN).
    "ninja",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # API helper: Content-Security-Policy header, and who changes what for the audit history.
    "csp.middleware.CSPMiddleware",
    "headway.audit.middleware.AuditMiddleware",
    "headway.api.ratelimit.SignInRateLimitMiddleware",
]

ROOT_URLCONF = "headway.urls"
WSGI_APPLICATION = "headway.wsgi.application"

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
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = envstr("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'headway.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600))
    except Exception as e:
        raise ConfigError(f"DATABASE_URL: {e}") from e
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
        # A file, not Django's shared in-memory database: live-server tests then give each
        # thread its own connection and real locking, as in production. One file a process,
        # so that two test runs in one checkout do not share it.
        config["TEST"] = {"NAME": str(DATA_DIR / f"test-headway-{os.getpid()}.sqlite3")}
    elif config.get("ENGINE") == "django.db.backends.postgresql":
        config["TEST"] = {"NAME": envstr("HEADWAY_TEST_DATABASE", "headway_test")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("HEADWAY_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Tests and DEBUG runs serve straight from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds of heartbeat silence after which a worker counts as dead and its running task is
# queued again; workers beat 12 times as often. Every worker of a deployment must agree.
WORKER_LOST_AFTER = envint("HEADWAY_WORKER_LOST_AFTER", 120, minimum=2)

EMAIL_BACKEND = envstr("HEADWAY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("HEADWAY_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("HEADWAY_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = envstr("HEADWAY_DEFAULT_FROM_EMAIL", "headway@localhost")
# A stuck mail server must not hold an alert delivery, and so a worker's graceful stop, forever.
EMAIL_TIMEOUT = 30

# Where the pull sources and alert channels that organization users configure may connect
# (headway/feeds/outbound.py, docs/security.md): public addresses only, plus the networks
# the operator lists; SQLite sources only under one directory (unset: none).
OUTBOUND_ALLOW = envnetworks("HEADWAY_OUTBOUND_ALLOW")
OUTBOUND_SQL_ALLOW = envnetworks("HEADWAY_OUTBOUND_SQL_ALLOW")
SQLITE_SOURCES_DIR = envdir("HEADWAY_SQLITE_SOURCES_DIR")

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("HEADWAY_LOG_LEVEL", "WARNING")},
}


# --- API helper: security headers, CSP, rate-limit cache ------------------------------
# HEADWAY_SECURE=true behind HTTPS: HSTS, secure cookies, redirect to https. `check
# --deploy` passes with HEADWAY_DEBUG=false, HEADWAY_SECURE=true and a real secret key
# (headway/api/tests/test_security.py runs it).
SECURE = envbool("HEADWAY_SECURE", False)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = envint("HEADWAY_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
if envbool("HEADWAY_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Self-only scripts and styles: htmx and the API docs come from our own static files, and
# no page has inline scripts. Images may be data: URIs (charts, the docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Rate-limit counters must be shared by every gunicorn worker: the database cache
# (its table is created by headway/api/migrations, so `migrate` is enough).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "headway_cache",
    }
}
NINJA_PAGINATION_MAX_LIMIT = 500
