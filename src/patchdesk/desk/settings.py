"""Django settings, built from the typed configuration (:mod:`patchdesk.desk.config`).

Nothing is configured here directly: change a ``PATCHDESK_*`` variable or the TOML file.
See docs/configuration.md for every setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.bootstrap import encryption_keys_read, secret_key_read
from patchdesk.desk.config import Config, ConfigError, DatabaseConfig, load_config

try:
    CONFIG: Config = load_config()
    SECRET_KEY = CONFIG.secret_key or secret_key_read(CONFIG)
    PATCHDESK_ENCRYPTION_KEYS = encryption_keys_read(CONFIG)
except ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

DESK_DIR = Path(__file__).resolve().parent

DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = [CONFIG.base_url]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CONFIG.base_url.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "patchdesk.desk.core",
    "patchdesk.desk.accounts",
    "patchdesk.desk.customers",
    "patchdesk.desk.platforms",
    "patchdesk.desk.fleet",
    "patchdesk.desk.contracts",
    "patchdesk.desk.billing",
    "patchdesk.desk.advisories",
    "patchdesk.desk.findings",
    "patchdesk.desk.cases",
    "patchdesk.desk.work",
    "patchdesk.desk.console",
    "patchdesk.desk.portal",
]
if CONFIG.redis_url:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "patchdesk.desk.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "patchdesk.desk.urls"
WSGI_APPLICATION = "patchdesk.desk.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [DESK_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patchdesk.desk.core.context_processors.desk",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- data ---------------------------------------------------------------------------------


def _database(db: DatabaseConfig) -> dict[str, Any]:
    if db.vendor == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": db.name,
            "OPTIONS": {
                # WAL lets the desk read while a worker writes; IMMEDIATE takes the write lock
                # at BEGIN so concurrent writers wait (timeout) instead of failing mid-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            "TEST": {"NAME": None},
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db.name,
        "USER": db.user,
        "PASSWORD": db.password,
        "HOST": db.host,
        "PORT": str(db.port or ""),
        "OPTIONS": {"connect_timeout": 10, **db.options},
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database(CONFIG.database)}

if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        }
    }
    RQ_QUEUES = {"default": {"URL": CONFIG.redis_url, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Periodic jobs (name, task path, interval in seconds), run by ``patchdesk scheduler`` or a
# worker started with ``--with-scheduler``. Apps add theirs here as they land.
PATCHDESK_PERIODIC_JOBS: list[tuple[str, str, int]] = [
    ("worker-heartbeat", "patchdesk.desk.core.tasks.worker_heartbeat", 300),
    ("prune-task-results", "patchdesk.desk.core.tasks.task_results_prune", 24 * 3600),
    ("contracts-advance", "patchdesk.desk.contracts.tasks.contracts_advance", 3600),
    ("contracts-eos-warn", "patchdesk.desk.contracts.tasks.contracts_eos_warn", 24 * 3600),
    ("quotes-expire", "patchdesk.desk.billing.tasks.quotes_expire", 3600),
    ("billing-draft", "patchdesk.desk.billing.tasks.billing_previous_month_draft", 24 * 3600),
    ("cases-discover", "patchdesk.desk.cases.tasks.cases_discover", 300),
    ("cases-deadlines", "patchdesk.desk.cases.tasks.cases_deadlines", 900),
    ("outbox-send", "patchdesk.desk.cases.tasks.outbox_send", 60),
    ("outbox-digest", "patchdesk.desk.cases.tasks.outbox_digest", 3600),
    ("work-reminders", "patchdesk.desk.work.tasks.work_reminders", 900),
    ("work-runs", "patchdesk.desk.work.tasks.work_runs", 60),
    (
        "feeds-sync",
        "patchdesk.desk.advisories.tasks.feeds_sync_enabled",
        CONFIG.feed_sync_interval_s,
    ),
    ("fleet-rescan", "patchdesk.desk.fleet.tasks.fleet_rescan", CONFIG.fleet_rescan_interval_s),
]
PATCHDESK_DATA_DIR = CONFIG.data_dir
PATCHDESK_BASE_URL = CONFIG.base_url

# --- language and time ------------------------------------------------------------------

_LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in CONFIG.languages]
LOCALE_PATHS = [DESK_DIR / "locale"]
USE_I18N = True
TIME_ZONE = CONFIG.time_zone
USE_TZ = True
PATCHDESK_LANGUAGE_LABELS = {"ja": _("Japanese"), "en": _("English")}

# --- static files and mail ------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG


_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS[CONFIG.email.transport]
EMAIL_FILE_PATH = CONFIG.email.file_path or str(CONFIG.data_dir / "mail")
EMAIL_HOST = CONFIG.email.host or "localhost"
EMAIL_PORT = CONFIG.email.port or 25
EMAIL_HOST_USER = CONFIG.email.user
EMAIL_HOST_PASSWORD = CONFIG.email.password
EMAIL_USE_TLS = CONFIG.email.security == "starttls"
EMAIL_USE_SSL = CONFIG.email.security == "tls"
EMAIL_TIMEOUT = CONFIG.email.timeout_s
DEFAULT_FROM_EMAIL = SERVER_EMAIL = CONFIG.default_from_email

# --- logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "asyncssh": {"level": "WARNING"},
    },
}
