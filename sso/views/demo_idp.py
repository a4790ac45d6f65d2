"""The demo identity provider's pages (development only, demo org only: sso.demo_idp).

GET lists the demo org's console accounts and people; choosing one (POST) signs a real SAML
response with the demo key and posts it to the org's ACS from the browser, answering the
AuthnRequest if one came (SP-initiated) or unsolicited (IdP-initiated) otherwise.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.models import Membership, Organization, Person
from accounts.selectors.orgs import org_get_by_slug
from sso import saml
from sso.demo_idp import DEMO_ENTITY_ID, demo_idp_allowed, demo_response
from sso.selectors import sso_get
from sso.views import sp_urls_for


def _demo_org(slug: str) -> Organization:
    org = org_get_by_slug(slug=slug)
    if org is None or not demo_idp_allowed(org) or sso_get(org=org).idp_entity_id != DEMO_ENTITY_ID:
        raise Http404("There is no demo identity provider here.")
    return org


def _directory(org: Organization) -> list[dict[str, str]]:
    accounts = [
        {
            "email": m.account.email,
            "name": m.account.full_name or m.account.email,
            "given": m.account.full_name.partition(" ")[0],
            "family": m.account.full_name.partition(" ")[2],
            "kind": m.get_role_display(),
        }
        for m in Membership.objects.filter(org=org).select_related("account").order_by("role")
    ]
    people = [
        {
            "email": p.user_name,
            "name": p.full_name or p.user_name,
            "given": p.given_name,
            "family": p.family_name,
            "kind": "Person" if p.is_active else "Person (suspended)",
        }
        for p in Person.objects.filter(org=org).order_by("id")
    ]
    return accounts + people


@require_http_methods(["GET", "POST"])
def demo_idp(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _demo_org(org_slug)
    data = request.POST if request.method == "POST" else request.GET
    saml_request = data.get("SAMLRequest", "")
    relay_state = data.get("RelayState", "")
    request_id = None
    if saml_request:
        try:
            request_id = saml.authn_request_parse(saml_request)["id"] or None
        except ValueError:
            return render(request, "sso/demo_idp.html", {"org_obj": org, "error": True}, status=400)
    directory = _directory(org)
    if request.method == "GET":
        return render(
            request,
            "sso/demo_idp.html",
            {
                "org_obj": org,
                "directory": directory,
                "saml_request": saml_request,
                "relay_state": relay_state,
            },
        )
    chosen = next((d for d in directory if d["email"] == request.POST.get("who")), None)
    if chosen is None:
        raise Http404("No such demo person.")
    sp = sp_urls_for(request, org.slug)
    response = demo_response(
        org=org,
        email=chosen["email"],
        given_name=chosen["given"],
        family_name=chosen["family"],
        audience=sp.entity_id,
        acs_url=sp.acs,
        in_response_to=request_id,
    )
    return render(
        request,
        "sso/post_binding.html",
        {"action": sp.acs, "saml_response": response, "relay_state": relay_state},
    )
