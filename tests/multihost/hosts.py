"""Two web hosts for the many-hosts tests: two gunicorn processes on two ports (as two hosts
behind a load balancer would be) against the test's PostgreSQL database and one Redis, and
an HTTP client with its own cookie jar that can talk to either.

More cases are one more test function taking the `hosts` fixture of
tests/multihost/test_two_hosts.py.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.kisiscim.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@dataclass
class Host:
    base: str
    proc: subprocess.Popen


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


def start_hosts(count: int, *, database_url: str, redis_url: str, log_dir: Path, **env: str):
    """Start `count` gunicorn processes; returns them once each answers /healthz."""
    hosts = []
    base_env = {k: v for k, v in os.environ.items() if k != "TEST_DB_SUFFIX"}
    base_env.update(
        DJANGO_SETTINGS_MODULE="kisiscim.settings.test",
        TEST_DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="1",
        **env,
    )
    for i in range(count):
        port = free_port()
        log = open(log_dir / f"host{i}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [GUNICORN, "kisiscim.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=base_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        hosts.append(Host(f"http://127.0.0.1:{port}", proc))
    deadline = time.monotonic() + 180  # a busy CI machine starts Django slowly
    for host in hosts:
        while True:
            try:
                # Loopback http only: the hosts this module started.
                urllib.request.urlopen(host.base + "/healthz", timeout=10).read()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                if host.proc.poll() is not None or time.monotonic() > deadline:
                    stop_hosts(hosts)
                    logs = "\n".join(p.read_text() for p in log_dir.glob("host*.log"))
                    raise RuntimeError(f"gunicorn did not start:\n{logs[-3000:]}") from None
                time.sleep(0.2)
    return hosts


def stop_hosts(hosts: list[Host]) -> None:
    for host in hosts:
        if host.proc.poll() is None:
            host.proc.terminate()
    for host in hosts:
        try:
            host.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            host.proc.kill()
            host.proc.wait(timeout=10)


class Browser:
    """A cookie jar shared across hosts (the load balancer's one domain), speaking HTTP."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, method: str, url: str, data: bytes | None = None, headers=None) -> Reply:
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as r:
                return Reply(r.status, r.read(), dict(r.headers))
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.read(), dict(e.headers))

    def sign_in(self, host: Host, email: str, password: str) -> Reply:
        page = self.request("GET", host.base + "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.decode(), "username": email, "password": password}
        ).encode()
        return self.request(
            "POST",
            host.base + "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": host.base + "/login/"},
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None
