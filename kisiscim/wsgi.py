"""WSGI entry point (gunicorn kisiscim.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kisiscim.settings.base")

application = get_wsgi_application()
