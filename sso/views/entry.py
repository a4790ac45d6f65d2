"""The sign-in page: email and password (Require SSO refuses admins; the owner's break-glass
sign-in is recorded and reported), and Sign in with SSO (a work email or the org's ID)."""

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from sso.forms import PasswordSignInForm, SSOStartForm
from sso.selectors import sso_org_for_sign_in
from sso.sign_in import password_sign_in_record, relay_path


class SignInView(LoginView):
    form_class = PasswordSignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("sso_form", SSOStartForm(initial={"next": context.get("next", "")}))
        return context

    def form_valid(self, form: PasswordSignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        password_sign_in_record(account=form.get_user(), refused=[])
        return response

    def form_invalid(self, form: PasswordSignInForm) -> HttpResponse:  # type: ignore[override]
        refused = getattr(form, "sso_refused", None)
        if refused and form.get_user() is not None:
            password_sign_in_record(account=form.get_user(), refused=refused)
        return super().form_invalid(form)


NO_ORG = (
    "No organization with single sign-on matches that. Enter your organization ID (ask your "
    "administrator), or sign in with your password."
)
SEVERAL_ORGS = "Several organizations use that email domain: enter your organization ID instead."


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the person to their org's SP-initiated sign-in. An email is routed by its domain
    only (sso_org_for_sign_in), so every address at a domain gets the same answer."""
    form = SSOStartForm(request.POST)
    message = NO_ORG
    if form.is_valid():
        org = sso_org_for_sign_in(identifier=form.cleaned_data["identifier"])
        if org == "ambiguous":
            message = SEVERAL_ORGS
        elif org is not None:
            url = reverse("sso:login", args=[org.slug])  # type: ignore[union-attr]
            next_path = relay_path(form.cleaned_data.get("next"))
            return redirect(f"{url}?{urlencode({'next': next_path})}" if next_path else url)
    context = {
        "form": PasswordSignInForm(request),
        "sso_form": form,
        "sso_error": message,
        "next": relay_path(request.POST.get("next")) or "",
    }
    return render(
        request, "registration/login.html", context, status=200 if form.is_valid() else 400
    )
