"""Turn domain errors into the one-line CommandError every command reports."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.exceptions import Conflict


@contextmanager
def command_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    except Conflict as exc:
        raise CommandError(exc.message) from exc
