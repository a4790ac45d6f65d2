"""Without EMAIL_URL, email is written to the terminal as a framed notice (not as raw MIME,
which a Celery worker would log line by line as WARNINGs)."""

import io
import subprocess
import sys
from pathlib import Path

from django.core.mail import get_connection, send_mail

from notifications.console_mail import EmailBackend

ROOT = Path(__file__).resolve().parents[2]


def test_a_message_is_written_as_a_notice():
    stream = io.StringIO()
    connection = EmailBackend(stream=stream)
    sent = send_mail(
        "[KisiSCIM] 2 suspended people to review",
        "The cleanup audit flagged 2 people.\n\nReview them: http://x/cleanup/\n",
        "KisiSCIM <no-reply@kisiscim.local>",
        ["owner@demo.kisiscim.local"],
        connection=connection,
    )
    assert sent == 1
    rule = "─" * 72
    assert stream.getvalue() == (
        f"┌{rule}\n"
        "│ NOTICE by email to owner@demo.kisiscim.local\n"
        "│ [KisiSCIM] 2 suspended people to review\n"
        "│\n"
        "│ The cleanup audit flagged 2 people.\n"
        "│\n"
        "│ Review them: http://x/cleanup/\n"
        f"└{rule}\n"
    )
    assert "Content-Type" not in stream.getvalue()


def test_no_messages_write_nothing():
    stream = io.StringIO()
    assert (
        get_connection(
            backend="notifications.console_mail.EmailBackend", stream=stream
        ).send_messages([])
        == 0
    )
    assert stream.getvalue() == ""


def test_the_embedded_settings_print_notices_without_email_url():
    """The settings `make run` uses (no EMAIL_URL) pick this backend."""
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "kisiscim.settings.base",
            "DJANGO_DEBUG": "1",
            "KISISCIM_VAR_DIR": str(ROOT / "var"),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "notifications.console_mail.EmailBackend"
