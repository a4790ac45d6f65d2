"""Console session limits and caching headers, for signed-in console accounts.

A session ends SESSION_IDLE_MINUTES after its last request and SESSION_ABSOLUTE_HOURS after
sign-in, whatever the activity (the next request is then signed out and sent to sign in).
The last-seen time is written at most once a minute, not on every request. Every response
to a signed-in account carries `Cache-Control: private, no-store`: console pages show
people's data, which no browser history or shared proxy should keep.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

STARTED = "_console_started"
SEEN = "_console_seen"
SEEN_RESOLUTION = 60


class ConsoleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _expired(request: HttpRequest) -> bool:
        now = time.time()
        session = request.session
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None:  # the first request after sign-in
            session[STARTED] = session[SEEN] = now
            return False
        if now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
            return True
        if seen is not None and now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return True
        if seen is None or now - seen >= SEEN_RESOLUTION:
            session[SEEN] = now
        return False


def console_session_started(sender: object, request: HttpRequest, user: object, **_: object):
    """On sign-in (django.contrib.auth's user_logged_in): the absolute limit counts from now."""
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = time.time()
