"""An SSO sign-in is part of the person's story on their console page, and an emergency
suspension in the console ends that person's session on their next request."""

import pytest
from django.test import Client

from accounts.actor import Actor
from provisioning.services.lifecycle import console_person_suspend
from tests.sso.support import SP, post_acs, signed_in

pytestmark = pytest.mark.django_db

ACME = SP("acme")


def test_a_sign_in_shows_in_the_story_and_a_console_suspension_ends_the_session(
    acme, ada, idp, owner, owner_client
):
    person_client = Client()
    response = post_acs(
        person_client,
        "acme",
        idp.response(sp_entity_id=ACME.entity_id, acs_url=ACME.acs, email="ada@acme.example.com"),
    )
    assert response["Location"] == "/me/"
    assert person_client.get("/me/").status_code == 200

    page = owner_client.get(f"/o/acme/people/{ada.scim_id}/").content.decode()
    story = page[page.index('data-testid="timeline"') :]
    first = story[: story.index("</li>")]
    assert "Signed in with SSO" in first
    assert "by ada@acme.example.com (themselves)" in first

    console_person_suspend(person=ada, reason="Lost badge", actor=Actor.of(owner))
    response = person_client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not signed_in(person_client)
