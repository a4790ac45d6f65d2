"""The owner's SSO & SCIM page and its actions. Thin: owner check, form, one service, render.

Every action is a POST with CSRF; the ones that break a working set-up (disabling SSO or
SCIM, replacing the token) go through a confirmation page first, which needs no JavaScript.
The token is shown exactly once, in the body of the POST response that created it: no
redirect, session or message ever carries it, and that response is never cached.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.actor import Actor
from accounts.permissions import owner_required
from provisioning.forms import ConfirmForm, TokenAddForm, TokenGenerateForm
from provisioning.models import ScimToken
from provisioning.scim.constants import SCIM_BASE_PATH
from provisioning.selectors.log import (
    provisioning_connection_stats,
    provisioning_rejected_token_stats,
)
from provisioning.selectors.scim_config import scim_config_get, scim_token_list_live
from provisioning.services.scim_config import org_sso_disable, scim_disable, scim_enable
from provisioning.services.tokens import (
    EXPIRY_WARNING_DAYS,
    scim_token_add,
    scim_token_generate,
    scim_token_revoke,
)
from sso.forms import SSOSetupForm
from sso.selectors import sso_get
from sso.services import certificate_expires_soon, sso_configure, sso_enable


def _https_url(request: HttpRequest, path: str) -> str:
    """An absolute URL on the request's host, always https: Okta and IdPs accept nothing
    else, and behind a TLS-terminating proxy without X-Forwarded-Proto the request says http."""
    return urlsplit(request.build_absolute_uri(path))._replace(scheme="https").geturl()


def _post_data(request: HttpRequest) -> Any:
    """The data to bind a form to: a POST binds even when empty (an unconfirmed submit)."""
    return request.POST if request.method == "POST" else None


def _page_url(request: HttpRequest) -> str:
    return reverse("provisioning:sso_scim", args=[request.org.slug])


def _render_page(
    request: HttpRequest,
    *,
    sso_form: SSOSetupForm | None = None,
    scim_error: str = "",
    status: int = 200,
) -> HttpResponse:
    org = request.org
    sso = sso_get(org=org)
    tokens = scim_token_list_live(org=org)
    context: dict[str, Any] = {
        "nav": "settings",
        "sso": sso,
        "sso_expires_soon": certificate_expires_soon(sso),
        "sso_form": sso_form or SSOSetupForm(),
        "sp_entity_id": _https_url(request, f"/saml/{org.slug}/metadata/"),
        "sp_acs_url": _https_url(request, f"/saml/{org.slug}/acs/"),
        "scim": scim_config_get(org=org),
        "scim_base_url": _https_url(request, SCIM_BASE_PATH),
        "scim_error": scim_error,
        "tokens": tokens,
        "token_form": TokenGenerateForm(live_tokens=tokens),
        "expiry_warning_days": EXPIRY_WARNING_DAYS,
        "rejected_tokens": provisioning_rejected_token_stats(org=org),
        "scim_connection": provisioning_connection_stats(org=org),
    }
    return render(request, "provisioning/sso_scim.html", context, status=status)


def _render_confirm(
    request: HttpRequest,
    *,
    form: ConfirmForm | TokenGenerateForm,
    title: str,
    warning: str,
    action: str,
    button: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "provisioning/confirm.html",
        {
            "nav": "settings",
            "form": form,
            "title": title,
            "warning": warning,
            "action": action,
            "button": button,
        },
        status=status,
    )


@owner_required
@require_GET
def sso_scim(request: HttpRequest) -> HttpResponse:
    return _render_page(request)


@owner_required
@require_POST
def sso_setup(request: HttpRequest) -> HttpResponse:
    form = SSOSetupForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_page(request, sso_form=form, status=400)
    sso_configure(
        org=request.org,
        settings=form.cleaned_data["idp"],
        actor=Actor.of(request.user),
        enable=form.cleaned_data["enable"],
    )
    messages.success(request, "SSO settings saved.")
    return redirect(_page_url(request))


@owner_required
@require_POST
def sso_enable_view(request: HttpRequest) -> HttpResponse:
    try:
        sso_enable(org=request.org, actor=Actor.of(request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "SSO is enabled.")
    return redirect(_page_url(request))


DISABLE_SSO = {
    "title": "Disable SSO?",
    "warning": "Disabling SSO also disables SCIM provisioning and revokes the SCIM token: "
    "Okta's provisioning requests will fail until SSO and SCIM are enabled again and Okta "
    "has a new token.",
    "button": "Disable SSO",
}


def _confirmed(
    request: HttpRequest,
    *,
    label: str,
    act: Callable[..., Any],
    done: str,
    url_name: str,
    texts: dict[str, str],
) -> HttpResponse:
    """A disabling action behind its confirmation page: GET (or an unticked POST) shows the
    page, a confirmed POST runs `act` for the org and returns to the SSO & SCIM page."""
    form = ConfirmForm(_post_data(request), label=label)
    if request.method == "POST" and form.is_valid():
        act(org=request.org, actor=Actor.of(request.user))
        messages.success(request, done)
        return redirect(_page_url(request))
    return _render_confirm(
        request,
        form=form,
        action=reverse(url_name, args=[request.org.slug]),
        status=400 if form.is_bound else 200,
        **texts,
    )


@owner_required
@require_http_methods(["GET", "POST"])
def sso_disable_view(request: HttpRequest) -> HttpResponse:
    return _confirmed(
        request,
        label="Disable SSO, disable SCIM and revoke the SCIM token.",
        act=org_sso_disable,
        done="SSO is disabled; SCIM is disabled and its token revoked.",
        url_name="provisioning:sso_disable",
        texts=DISABLE_SSO,
    )


@owner_required
@require_POST
def scim_enable_view(request: HttpRequest) -> HttpResponse:
    try:
        scim_enable(org=request.org, actor=Actor.of(request.user))
    except ValidationError as exc:
        # Only a forged or stale POST gets here: the button is disabled without SSO.
        return _render_page(request, scim_error=" ".join(exc.messages), status=409)
    messages.success(request, "SCIM is enabled. Generate a token for Okta next.")
    return redirect(_page_url(request))


DISABLE_SCIM = {
    "title": "Disable SCIM?",
    "warning": "Disabling SCIM revokes the token at once: Okta's provisioning requests will be "
    "refused (401) until SCIM is enabled again and Okta has a new token. People and groups "
    "already provisioned stay as they are.",
    "button": "Disable SCIM",
}


@owner_required
@require_http_methods(["GET", "POST"])
def scim_disable_view(request: HttpRequest) -> HttpResponse:
    return _confirmed(
        request,
        label="Disable SCIM and revoke its token.",
        act=scim_disable,
        done="SCIM is disabled and its token revoked.",
        url_name="provisioning:scim_disable",
        texts=DISABLE_SCIM,
    )


REGENERATE = {
    "title": "Regenerate the SCIM token?",
    "warning": "Every current token stops working at once. Okta must be updated with the new "
    "token (Provisioning → Integration → API Token), or its provisioning requests will fail. "
    "To rotate without a failed request, add a second token instead.",
    "button": "Regenerate",
}


def _render_token_created(
    request: HttpRequest, *, token: ScimToken, raw: str, replaced: bool, added: bool
) -> HttpResponse:
    response = render(
        request,
        "provisioning/token_created.html",
        {
            "nav": "settings",
            "token": token,
            "raw_token": raw,
            "replaced": replaced,
            "added": added,
            "scim_base_url": _https_url(request, SCIM_BASE_PATH),
        },
    )
    # Shown once: no browser or proxy may keep a copy (back button, disk cache).
    add_never_cache_headers(response)
    response["Pragma"] = "no-cache"
    return response


@owner_required
@require_GET
def scim_token_regenerate(request: HttpRequest) -> HttpResponse:
    """The confirmation step; the form posts to `scim_token_generate`."""
    live = scim_token_list_live(org=request.org)
    if not live:
        return redirect(_page_url(request))
    return _render_confirm(
        request,
        form=TokenGenerateForm(live_tokens=live),
        action=reverse("provisioning:scim_token_generate", args=[request.org.slug]),
        **REGENERATE,
    )


# The token passes through this frame and the template's: keep all of it out of error reports.
@sensitive_variables()
@owner_required
@require_POST
def scim_token_generate_view(request: HttpRequest) -> HttpResponse:
    form = TokenGenerateForm(request.POST, live_tokens=scim_token_list_live(org=request.org))
    if not form.is_valid():
        if form.is_stale:
            messages.warning(request, " ".join(form.non_field_errors()))
            return redirect(_page_url(request))
        return _render_confirm(
            request,
            form=form,
            action=reverse("provisioning:scim_token_generate", args=[request.org.slug]),
            status=400,
            **REGENERATE,
        )
    try:
        token, raw = scim_token_generate(
            org=request.org,
            actor=Actor.of(request.user),
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ValidationError as exc:
        return _render_page(request, scim_error=" ".join(exc.messages), status=409)
    return _render_token_created(
        request, token=token, raw=raw, replaced=bool(form.live_tokens), added=False
    )


@sensitive_variables()
@owner_required
@require_http_methods(["GET", "POST"])
def scim_token_add_view(request: HttpRequest) -> HttpResponse:
    """Add a second token beside the live one: GET shows its form, POST issues it (shown
    once). A third active token is refused with the reason."""
    live = scim_token_list_live(org=request.org)
    form = TokenAddForm(_post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = scim_token_add(
                org=request.org,
                actor=Actor.of(request.user),
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error(None, " ".join(exc.messages))
        else:
            return _render_token_created(request, token=token, raw=raw, replaced=False, added=True)
    return render(
        request,
        "provisioning/token_add.html",
        {"nav": "settings", "form": form, "live": live},
        status=400 if form.is_bound else 200,
    )


@owner_required
@require_http_methods(["GET", "POST"])
def scim_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one token (after a confirmation): SCIM requests with it fail from then on."""
    token = next((t for t in scim_token_list_live(org=request.org) if t.pk == token_id), None)
    if token is None:
        messages.warning(request, "That token is not active any more; nothing was revoked.")
        return redirect(_page_url(request))
    form = ConfirmForm(_post_data(request), label=f"Revoke {token.name} ({token.masked}) for good.")
    if request.method == "POST" and form.is_valid():
        scim_token_revoke(org=request.org, token_id=token.pk, actor=Actor.of(request.user))
        messages.success(request, f"Revoked {token.name} ({token.masked}).")
        return redirect(_page_url(request))
    others = [t for t in scim_token_list_live(org=request.org) if t.pk != token.pk]
    warning = f"Requests with {token.masked} are refused from now on (401). " + (
        f"Okta keeps working only if it already has {others[0].name} ({others[0].masked})."
        if others
        else "It is the only active token: Okta's provisioning requests will fail until "
        "it has a new token."
    )
    return _render_confirm(
        request,
        form=form,
        title=f"Revoke the SCIM token {token.name}?",
        warning=warning,
        action=reverse("provisioning:scim_token_revoke", args=[request.org.slug, token.pk]),
        button="Revoke",
        status=400 if form.is_bound else 200,
    )
