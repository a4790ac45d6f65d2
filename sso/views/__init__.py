"""SAML sign-in pages: the per-org SP endpoints (sp.py), the sign-in page's entry points
(entry.py) and the development-only demo IdP (demo_idp.py)."""

from django.http import HttpRequest

from sso import saml


def base_url(request: HttpRequest) -> str:
    """The request's scheme and host: http under `make run`, https behind a TLS proxy that
    sets X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER)."""
    return request.build_absolute_uri("/").rstrip("/")


def sp_urls_for(request: HttpRequest, slug: str) -> saml.SPUrls:
    return saml.sp_urls(base_url=base_url(request), slug=slug)
