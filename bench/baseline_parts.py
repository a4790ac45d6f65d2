"""What the baseline request's two statements cost, in process on the bench database: the
token lookup (by the service, and its SQL alone) and the provisioning-log insert with its
commit, against `SELECT 1` (a round trip and nothing else). p50 of 500 each, in ms."""

import statistics
import time
from collections.abc import Callable
from typing import Any


def _p50(fn: Callable[[], Any], n: int = 500) -> float:
    for _ in range(20):
        fn()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 3)


def measure(raw_token: str) -> dict[str, float]:
    from django.db import connection

    from provisioning.models import ProvisioningLogEntry, ScimToken
    from provisioning.services.tokens import scim_token_check, scim_token_digest

    header = f"Bearer {raw_token}"
    check = scim_token_check(header)
    digest = scim_token_digest(raw_token)
    sql, params = (
        ScimToken.objects.select_related("org", "org__scim", "org__sso")
        .filter(digest=digest)
        .query.sql_with_params()
    )

    def raw(statement: str, args: Any = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, args)

    def log() -> None:
        ProvisioningLogEntry.objects.create(
            org=check.org, token=check.token, method="GET", path="/scim/v2/ServiceProviderConfig",
            status=200, duration_ms=1, user_agent="Okta SCIM Client 1.0.0",
            remote_addr="127.0.0.1",
        )  # fmt: skip

    first = ProvisioningLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    parts = {
        "select_1_ms": _p50(lambda: raw("SELECT 1")),
        "token_check_ms": _p50(lambda: scim_token_check(header)),
        "token_sql_alone_ms": _p50(lambda: raw(sql, params)),
        "log_insert_with_commit_ms": _p50(log),
    }
    # The server has stopped: every row after `first` is one of these.
    ProvisioningLogEntry.objects.filter(pk__gt=first or 0).delete()
    return parts
