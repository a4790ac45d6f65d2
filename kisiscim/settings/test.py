"""Settings for the test suite: the base settings with a test database and fast hashing.

`TEST_DATABASE_URL` picks the database (PostgreSQL in CI); unset, tests run on SQLite.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "0")

from .base import *  # noqa: F403
from .base import VAR_DIR, env

_test_db_url = env.str("TEST_DATABASE_URL", default="")
if _test_db_url:
    DATABASES = {"default": env.db_url_config(_test_db_url)}
    # Lets several suites share one server without dropping each other's test database.
    _suffix = env.str("TEST_DB_SUFFIX", default="")
    if _suffix:
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_suffix}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "test.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = 0

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The worker tests' subprocesses write mail to files the test reads (TEST_EMAIL_FILE_PATH).
EMAIL_BACKEND = env.str(
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not env.str("REDIS_URL", default=""):
    # Tests that need the shared Redis cache (rate limits across processes) opt in.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Unit tests run tasks inline; the worker tests start a real worker against Redis (REDIS_URL)
# with CELERY_TASK_ALWAYS_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
if not env.str("REDIS_URL", default=""):
    # Eager tasks need no broker, and their results stay in memory.
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
