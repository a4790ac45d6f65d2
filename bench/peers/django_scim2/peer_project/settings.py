"""Settings of the stock django-scim2 peer: one org, the library's views, adapters and
filters as its README describes, PostgreSQL (the only database the README supports).

Environment: PEER_DATABASE_URL, PEER_CONN_MAX_AGE (default 60, as KisiSCIM's settings),
PEER_FAST_HASHER=1 (MD5 hasher instead of Django's default PBKDF2; Okta's create carries a
password, which the stock adapter hashes with set_password: the bench keeps the default, as
a user of the library gets it).
"""

import os
from urllib.parse import urlsplit

SECRET_KEY = os.environ.get("PEER_SECRET_KEY", "peer-django-scim2-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "peer_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "peer_project.urls"
WSGI_APPLICATION = "peer_project.wsgi.application"

# PEER_DATABASE_URL (set by bench/peers/run.py): postgresql://user@host:port/name
_db = urlsplit(os.environ.get("PEER_DATABASE_URL", "postgresql://root@127.0.0.1:5432/peer"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "",
        "PASSWORD": _db.password or "",
        "HOST": _db.hostname or "127.0.0.1",
        "PORT": str(_db.port or 5432),
        "CONN_MAX_AGE": int(os.environ.get("PEER_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "peer_app.User"
if os.environ.get("PEER_FAST_HASHER") == "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# -- django-scim2: the README's two mandatory settings, plus the models and adapters --
SCIM_SERVICE_PROVIDER = {
    "NETLOC": "localhost",
    "SCHEME": "http",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
        },
    ],
    "GROUP_MODEL": "peer_app.models.Group",
    "USER_ADAPTER": "peer_app.adapters.SCIMUser",
    "GROUP_ADAPTER": "peer_app.adapters.SCIMGroup",
    # The documented hook: a subclass of the library's auth-check middleware that logs the
    # token's user in before the stock check (request.user.is_authenticated) runs.
    "AUTH_CHECK_MIDDLEWARE": "peer_app.middleware.BearerTokenSCIMAuthCheckMiddleware",
    # USER_FILTER_PARSER / GROUP_FILTER_PARSER: the library's defaults
    # (django_scim.filters.UserFilterQuery / GroupFilterQuery).
}
