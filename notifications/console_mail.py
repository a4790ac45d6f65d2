"""Email written to the terminal as a notice, for `make run` and any deployment without
EMAIL_URL: who it is for, its subject and its text, framed so it stands out from the log.

Django's console backend prints the raw MIME message to `sys.stdout`; in a Celery worker
(where owner notices are delivered) that stream is Celery's logging proxy, which turns every
line into a "WARNING/ForkPoolWorker-1" log record. This backend writes to the process's real
standard output instead, so a notice reads as a notice.
"""

import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

RULE = "─" * 72
_lock = threading.RLock()


def notice_text(message: EmailMessage) -> str:
    """The notice for one message: its recipients and subject, then its text, indented."""
    body = message.body.rstrip("\n")
    lines = [
        f"┌{RULE}",
        f"│ NOTICE by email to {', '.join(message.to) or '(nobody)'}",
        f"│ {message.subject}",
        "│",
        *(f"│ {line}" if line else "│" for line in body.splitlines()),
        f"└{RULE}",
    ]
    return "\n".join(lines) + "\n"


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream: TextIO | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        # `sys.__stdout__`, not `sys.stdout`: Celery replaces the latter with its log proxy.
        stream = self.stream or sys.__stdout__ or sys.stdout
        sent = 0
        with _lock:
            try:
                for message in email_messages:
                    stream.write(notice_text(message))
                    sent += 1
                stream.flush()
            except Exception:
                if not self.fail_silently:
                    raise
        return sent
