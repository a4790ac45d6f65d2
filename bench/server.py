"""gunicorn on loopback for the run, and a mail server that never answers.

The mail "server" accepts connections and never sends a greeting: anything in the request
path that sent email synchronously would hang there until gunicorn's timeout killed the
worker, and the benchmark would report the failures. Email must only ever be queued.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.config import REPO, Config
from bench.progress import note

STARTUP_TIMEOUT = 60
WORKER_TIMEOUT = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpTarpit:
    """A loopback TCP listener that holds every connection open and says nothing."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "SmtpTarpit":
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


class Gunicorn:
    """`gunicorn kisiscim.wsgi` with sync workers on 127.0.0.1:<free port>; stopped (SIGTERM to
    the master this object started, then SIGKILL if it lingers) on exit, errors included."""

    def __init__(self, config: Config, *, mail_port: int, log_dir: Path) -> None:
        self.config = config
        self.port = free_port()
        self.mail_port = mail_port
        self.log_path = log_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        env = self.config.django_env(
            KISISCIM_QUERY_COUNT_HEADER="1",
            EMAIL_URL=f"smtp://127.0.0.1:{self.mail_port}",
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kisiscim.wsgi",
                "--workers",
                str(self.config.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(WORKER_TIMEOUT),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self._stop()
            raise
        note(f"gunicorn: {self.config.workers} sync workers on 127.0.0.1:{self.port}")
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/scim/v2/ServiceProviderConfig")
                status = conn.getresponse().status
                conn.close()
                if status == 401:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT} s")

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=WORKER_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
