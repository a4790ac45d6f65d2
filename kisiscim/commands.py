"""Every command reports bad input as one line on stderr with a non-zero exit, and changes
nothing then: domain errors become a CommandError, and argparse's usage block is dropped."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kisiscim.exceptions import Conflict


@contextmanager
def command_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    except Conflict as exc:
        raise CommandError(exc.message) from exc


class OneLineErrorCommand(BaseCommand):
    """A command whose argument errors are one line too (`--help` still shows the usage)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse prints the whole usage block before "error: …"; scripts and people
        # reading a terminal get the one line that says what is wrong.
        parser.print_usage = lambda file=None: None  # type: ignore[method-assign]
        return parser
