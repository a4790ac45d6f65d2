"""KisiSCIM settings, read from environment variables only (12-factor).

Every value has a safe embedded-mode default (SQLite file, filesystem broker, console email)
except the secret key, which production must provide. Production differs from development
only by its environment; there is no production settings module.
"""

import contextlib
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("KISISCIM_VAR_DIR", default=str(BASE_DIR / "var")))


def _ensure_dirs(*paths: Path) -> None:
    """Embedded mode keeps its SQLite file, broker and result store under VAR_DIR: make the
    folders here, so a fresh deployment works without `make run` (a read-only VAR_DIR is left
    alone: the first write then names the problem)."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)


_ensure_dirs(VAR_DIR)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served by WhiteNoise from the package: the API reference needs no CDN.
    "drf_spectacular_sidecar",
    # Console sign-in throttling (django-axes; see AXES_* below).
    "axes",
    # Apps by sub-domain; imports run one way, down this list (pyproject.toml's contract);
    # sso and access are independent siblings.
    "console",
    "provisioning",
    "sso",
    "access",
    "notifications",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "provisioning.scim.middleware.ScimRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ConsoleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

if env.bool("KISISCIM_QUERY_COUNT_HEADER", default=False):
    # The benchmark reads each SCIM request's query count from X-Query-Count; off by default.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("provisioning.scim.middleware.ScimRequestMiddleware"),
        "provisioning.scim.query_count.QueryCountHeaderMiddleware",
    )

ROOT_URLCONF = "kisiscim.urls"
WSGI_APPLICATION = "kisiscim.wsgi.application"
ASGI_APPLICATION = "kisiscim.asgi.application"

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
                "accounts.context_processors.console",
                "notifications.context_processors.alerts",
            ],
        },
    },
]

# Database: a SQLite file for evaluation; PostgreSQL (psycopg 3) in production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file in embedded mode: wait for locks
    # instead of failing, and use WAL so readers never block the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Account"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password sign-in goes through django.contrib.auth.authenticate(request=…), so the
# django-axes backend, first, refuses a locked-out account or address before the password is
# checked. A new password sign-in (the owner's break-glass sign-in) must call authenticate()
# with the request to be covered; SAML sign-in checks no password and does not count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account after this many failures from any address, and an address after this many
# failures for any account (each on its own), for AXES_COOLOFF_MINUTES. The count is kept in
# the database (axes' database handler), so every web process and host shares it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The sign-in form names the email field "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "kisiscim.http.client_address"
# How many proxies (load balancers) in front append to X-Forwarded-For: the client address
# for the throttles and the logs is the one the nearest of them saw. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("KISISCIM_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis feeds the Celery broker, the result store and the cache (rate limits are shared
# across processes through it). Without it, everything runs embedded with no server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kisiscim",
            # A Redis that hangs must not hold requests: after this many seconds the call
            # fails and kisiscim.counters serves from a local fallback (see its docstring).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        # A task a worker took but did not acknowledge (the worker was SIGKILLed, its host
        # died) is handed to another worker after this many seconds. Every task finishes
        # well inside it: emails in seconds, the audit in batches (one org of 100,000
        # people in about 5 s), and the hard time limit below is shorter still.
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Publishing fails at once when Redis is down, so no request waits on it: every
        # email is in the outbox already and beat's sweep delivers it once Redis is back.
        "socket_connect_timeout": 1,
        "max_retries": 0,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 1
else:
    # Embedded mode: one machine, so a file cache under VAR_DIR is shared by every process
    # on it (several gunicorn workers count one SCIM rate limit, not one each).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # kombu otherwise creates ./control in whatever directory a process started in.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
    _ensure_dirs(*(VAR_DIR / "celery" / d for d in ("broker", "processed", "results", "control")))

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = 3600 * 24
# A task is acknowledged only after it ran, so a worker crash re-delivers it; every task is
# written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Shorter than the visibility timeout, so no task is still running when Redis hands it to
# another worker.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_VISIBILITY_TIMEOUT - 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=CELERY_VISIBILITY_TIMEOUT - 120
)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One beat process per deployment. Times are UTC (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE: dict = {
    "cleanup-audit-daily": {
        "task": "provisioning.tasks.cleanup_audit_task",
        "schedule": crontab(
            hour=env.int("CLEANUP_AUDIT_HOUR", default=3),
            minute=env.int("CLEANUP_AUDIT_MINUTE", default=15),
        ),
    },
    "scim-connection-health-hourly": {
        "task": "provisioning.tasks.scim_connection_health_task",
        "schedule": crontab(minute=env.int("SCIM_CONNECTION_HEALTH_MINUTE", default=20)),
    },
    "sso-metadata-refresh-daily": {
        "task": "sso.tasks.sso_metadata_refresh_task",
        "schedule": crontab(
            hour=env.int("SSO_METADATA_REFRESH_HOUR", default=2),
            minute=env.int("SSO_METADATA_REFRESH_MINUTE", default=30),
        ),
    },
    "saml-state-prune-hourly": {
        "task": "sso.tasks.saml_state_prune_task",
        "schedule": crontab(minute=45),
    },
    # Delivers what a broker outage at commit left in the notifications outbox.
    "notifications-outbox-requeue": {
        "task": "notifications.tasks.outbox_requeue_task",
        "schedule": env.int("OUTBOX_REQUEUE_SECONDS", default=300),
    },
    "provisioning-log-prune-daily": {
        "task": "provisioning.tasks.provisioning_log_prune_task",
        "schedule": crontab(
            hour=env.int("PROVISIONING_LOG_PRUNE_HOUR", default=4),
            minute=env.int("PROVISIONING_LOG_PRUNE_MINUTE", default=0),
        ),
    },
}

# Email: console output unless EMAIL_URL (e.g. smtp+tls://user:pass@host:587) is set.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Printed as framed notices, not as raw MIME (which a Celery worker logs as WARNINGs).
    EMAIL_BACKEND = "notifications.console_mail.EmailBackend"
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KisiSCIM <no-reply@kisiscim.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production hardening: on unless DEBUG. TLS terminates at the proxy, which must set
# X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Console sessions: signed out after this long without a request, and this long after sign-in
# however active (accounts.middleware). The cookie itself lasts no longer than the latter.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every console page: scripts, styles and images
# from the product's own static files only, no inline script, handler or style attribute.
# The Django admin (staff only) is excluded: its templates carry inline styles.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The embedded broker (filesystem://) has no host, which kombu warns about on every
        # connection: noise in `make run`'s output, nothing to act on.
        "kombu.connection": {"level": "WARNING" if REDIS_URL else "ERROR"},
    },
}

# SCIM endpoint (/scim/v2/). Of django-scim2's settings only its auth-check hook is used: the
# views, filters and discovery documents are the product's own (docs/architecture.md says why).
SCIM_SERVICE_PROVIDER = {
    "AUTH_CHECK_MIDDLEWARE": "provisioning.scim.auth.ScimTokenAuthCheck",
}
_rate_limit = env.str("SCIM_RATE_LIMIT", default="3000").strip().lower()
# Requests per minute per token; "off" (or 0) disables the limit.
SCIM_RATE_LIMIT = 0 if _rate_limit in ("off", "0", "") else int(_rate_limit)
# Requests per minute per client address that fail authentication (checked before the token
# is looked up); past it, 429, and the flood is no longer written to the provisioning log.
_unauth_limit = env.str("SCIM_UNAUTHENTICATED_RATE_LIMIT", default="60").strip().lower()
SCIM_UNAUTHENTICATED_RATE_LIMIT = 0 if _unauth_limit in ("off", "0", "") else int(_unauth_limit)
# One PATCH's cost is bounded: operations per PATCH, and member values across its operations
# (a group's members); beyond, 400 invalidValue. A user has at most 20 emails.
SCIM_PATCH_MAX_OPERATIONS = env.int("SCIM_PATCH_MAX_OPERATIONS", default=500)
SCIM_PATCH_MAX_VALUES = env.int("SCIM_PATCH_MAX_VALUES", default=10000)
# Longest request URL (path and query) answered; beyond, a SCIM 414. Proxies and gunicorn's
# --limit-request-line must allow a little more (README, Running in production).
SCIM_MAX_URL_LENGTH = env.int("SCIM_MAX_URL_LENGTH", default=8000)
SCIM_MAX_BODY_BYTES = env.int("SCIM_MAX_BODY_BYTES", default=1024 * 1024)
SCIM_MAX_PAGE_SIZE = env.int("SCIM_MAX_PAGE_SIZE", default=200)
SCIM_DEFAULT_PAGE_SIZE = 100
SCIM_DOCUMENTATION_URI = env.str("SCIM_DOCUMENTATION_URI", default="")
# Owners are alerted when SCIM is enabled and no valid request has come for this many days.
SCIM_SILENCE_ALERT_DAYS = env.int("SCIM_SILENCE_ALERT_DAYS", default=7)

# SAML: plain http to a loopback IdP (an SSO URL or a metadata URL on 127.0.0.1) is refused
# unless this is on. Only the test suite turns it on, for its SimpleSAMLphp and metadata
# servers; it is deliberately not read from the environment.
SSO_ALLOW_LOOPBACK_IDP = False

# The REST API (/api/v1/, access.api): per-org API keys only (no session or basic auth, so no
# CSRF and no login redirects), `{"detail": …}` for every error, OpenAPI 3 by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["access.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["access.api.auth.HasApiKey"],
    "DEFAULT_PARSER_CLASSES": ["access.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "access.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "access.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": [],
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KisiSCIM access API",
    "DESCRIPTION": "Places, doors, grants, access checks and access events of one "
    "organization. Authenticate with `Authorization: Bearer <API key>` (Settings → API keys, "
    'or `manage.py api_key SLUG --name NAME`); every error is `{"detail": …}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the reference are public (they hold no org's data).
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "access.api.schema.paths_without_trailing_slash",
    ],
}
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=100)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# The console's own knobs.
KISISCIM_SITE_URL = env.str("KISISCIM_SITE_URL", default="")
# The cleanup audit reads and flags suspended people in batches of this size.
CLEANUP_AUDIT_BATCH_SIZE = env.int("CLEANUP_AUDIT_BATCH_SIZE", default=500)
# Provisioning log entries older than this are pruned daily.
PROVISIONING_LOG_RETENTION_DAYS = env.int("PROVISIONING_LOG_RETENTION_DAYS", default=90)
# Mass-deactivation alert: SCIM suspensions in an org within the window that reach
# MASS_DEACTIVATION_COUNT people, or MASS_DEACTIVATION_PERCENT of the org's people (once that
# is at least MASS_DEACTIVATION_MIN_COUNT people, so small orgs are not alerted for two).
MASS_DEACTIVATION_WINDOW_MINUTES = env.int("MASS_DEACTIVATION_WINDOW_MINUTES", default=60)
MASS_DEACTIVATION_COUNT = env.int("MASS_DEACTIVATION_COUNT", default=50)
MASS_DEACTIVATION_PERCENT = env.int("MASS_DEACTIVATION_PERCENT", default=20)
MASS_DEACTIVATION_MIN_COUNT = env.int("MASS_DEACTIVATION_MIN_COUNT", default=5)
