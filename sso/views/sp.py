"""The org's service-provider endpoints: metadata, SP-initiated login, the ACS, and the
owner's test sign-in. Thin: look the org up, call one service, answer."""

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization
from accounts.permissions import owner_required
from accounts.person_sessions import person_session_end, person_session_start
from accounts.selectors.orgs import org_get_by_slug
from sso import saml
from sso.models import SAMLRequest, SSOConnection
from sso.selectors import sso_get, sso_test_request_get
from sso.sign_in import refusal_page, relay_path, saml_request_start, saml_response_consume
from sso.views import sp_urls_for

# Console accounts signed in by SAML get Django's own session, through the model backend
# (no password is checked: the IdP vouched for them).
ACCOUNT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _org(slug: str) -> Organization:
    org = org_get_by_slug(slug=slug)
    if org is None:
        raise Http404("No such organization.")
    return org


def _demo_url(request: HttpRequest, org: Organization) -> str:
    return request.build_absolute_uri(reverse("sso:demo_idp", args=[org.slug]))


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@require_GET
def metadata(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The SP metadata, served before the IdP is configured too: Okta asks for these values
    before it shows its own."""
    org = _org(org_slug)
    xml = saml.sp_metadata(sp=sp_urls_for(request, org.slug))
    response = HttpResponse(xml, content_type="application/samlmetadata+xml")
    response["Content-Disposition"] = f'inline; filename="kisiscim-{org.slug}-sp-metadata.xml"'
    return response


def _unavailable(request: HttpRequest, org: Organization) -> HttpResponse:
    _, message = refusal_page("sso_disabled", org=org)
    return _no_store(
        render(request, "sso/refused.html", {"org_obj": org, "message": message}, status=404)
    )


@require_GET
def login(request: HttpRequest, org_slug: str) -> HttpResponse:
    """SP-initiated sign-in: off to the IdP with an AuthnRequest; `next` kept if relative."""
    org = _org(org_slug)
    sso = sso_get(org=org)
    if not sso.is_enabled:
        return _unavailable(request, org)
    url = saml_request_start(
        sso=sso,
        sp=sp_urls_for(request, org.slug),
        demo_url=_demo_url(request, org),
        next_path=relay_path(request.GET.get("next")) or "",
    )
    return _no_store(HttpResponseRedirect(url))


@csrf_exempt  # the IdP posts here cross-site; the response's signature is the proof
@require_POST
def acs(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _org(org_slug)
    result = saml_response_consume(
        org=org,
        sp=sp_urls_for(request, org.slug),
        saml_response=request.POST.get("SAMLResponse", ""),
        relay_state=request.POST.get("RelayState", ""),
    )
    if result.test_request is not None:
        return redirect(
            "sso:test_result", org_slug=org.slug, request_id=result.test_request.request_id
        )
    if result.refusal or result.subject is None:
        status, message = refusal_page(result.refusal, org=org)
        return _no_store(
            render(
                request,
                "sso/refused.html",
                {"org_obj": org, "message": message, "retry": status != 403},
                status=status,
            )
        )
    subject = result.subject
    if subject.membership is not None:
        person_session_end(request=request)
        auth_login(request, subject.membership.account, backend=ACCOUNT_BACKEND)
        return redirect(result.next_path or reverse("dashboard", args=[org.slug]))
    if request.user.is_authenticated:
        auth_logout(request)
    person_session_start(request=request, person=subject.person)  # type: ignore[arg-type]
    return redirect("me")


@owner_required
@require_POST
def test_start(request: HttpRequest) -> HttpResponse:
    """The owner's test sign-in: through the IdP and back to a report, signing nobody in.
    Works while SSO is configured but not yet enabled."""
    org = request.org  # type: ignore[attr-defined]
    sso = sso_get(org=org)
    if sso.state == SSOConnection.State.NOT_CONFIGURED:
        return redirect("provisioning:sso_scim", org.slug)
    url = saml_request_start(
        sso=sso,
        sp=sp_urls_for(request, org.slug),
        demo_url=_demo_url(request, org),
        purpose=SAMLRequest.Purpose.TEST,
        account=request.user,  # type: ignore[arg-type]
    )
    return _no_store(HttpResponseRedirect(url))


@owner_required
@require_GET
def test_result(request: HttpRequest, request_id: str) -> HttpResponse:
    test = sso_test_request_get(
        org=request.org,  # type: ignore[attr-defined]
        account=request.user,  # type: ignore[arg-type]
        request_id=request_id,
    )
    if test is None:
        raise Http404("No such test sign-in.")
    return _no_store(
        render(
            request,
            "sso/test_result.html",
            {"nav": "settings", "test": test, "result": test.test_result or {}},
        )
    )
