"""Domain errors raised by services. Entry points map them to form errors or SCIM errors."""

from django.core.exceptions import ValidationError

__all__ = ["Conflict", "ValidationError"]


class Conflict(Exception):
    """A uniqueness rule would be broken (e.g. a userName already used in the org)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
