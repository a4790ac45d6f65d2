"""The caller's address, for every throttle (SCIM before authentication, console sign-in)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front
    (load balancers that append to X-Forwarded-For), the address the nearest one saw.
    Anything that is not an IP address counts as unknown (None)."""
    address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
