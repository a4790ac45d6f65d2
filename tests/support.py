"""Plain helpers for every test module: the test password, the rule for tests that need a real
service, and the demo IdP's settings, parsed once."""

import functools
import os

import pytest

from sso.services import IdPSettings, sso_demo_settings

PASSWORD = "correct-horse-battery"


@functools.cache
def demo_idp() -> IdPSettings:
    """The bundled demo IdP's validated settings (parsing and checking the metadata once)."""
    return sso_demo_settings()


def require_service(name: str, available: bool, how: str) -> None:
    """Skip (with the reason printed by -ra) when a real service is missing, unless
    REQUIRE_SERVICES is set, as in CI, where a missing service is a failure."""
    if available:
        return
    message = f"{name} is not available: {how}"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(message + " (REQUIRE_SERVICES is set)")
    pytest.skip(message)
