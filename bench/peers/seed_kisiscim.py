"""KisiSCIM's side of the peer comparison: one org with SSO and SCIM on, `N` people shaped as
the other peers' are (userName and work email `peer.user<i>@bigcorp.example`), and a token,
printed alone on the last line. `python -m bench.peers.seed_kisiscim N`, with DATABASE_URL
pointing at a fresh, migrated database."""

import sys

import django


def main(count: int) -> None:
    django.setup()
    from django.db import transaction

    from accounts.actor import Actor
    from accounts.models import Person, PersonEmail
    from accounts.services.orgs import org_create
    from accounts.usernames import user_name_key
    from bench.peers.run import user_name
    from provisioning.services.scim_config import scim_enable
    from provisioning.services.tokens import scim_token_generate
    from sso.services import sso_configure, sso_demo_settings

    system = Actor.system()
    with transaction.atomic():
        org, _ = org_create(
            slug="bigcorp",
            name="Bigcorp",
            owner_email="owner@bigcorp.example",
            owner_password="bench-doors-open-2026",
            actor=system,
        )
        sso_configure(org=org, settings=sso_demo_settings(), actor=system, enable=True)
        scim_enable(org=org, actor=system)
        people = Person.objects.bulk_create(
            [
                Person(
                    org=org,
                    user_name=user_name(i),
                    user_name_key=user_name_key(user_name(i)),  # as the services write it
                    given_name="Peer",
                    family_name=f"User{i}",
                    display_name=f"Peer User{i}",
                    external_id=f"00upeer{i:08d}",
                    provisioned_by=Person.Source.SCIM,
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
        PersonEmail.objects.bulk_create(
            [PersonEmail(person=p, value=p.user_name, type="work", primary=True) for p in people],
            batch_size=2000,
        )
        _, raw = scim_token_generate(org=org, actor=system)
    print(raw)


if __name__ == "__main__":
    main(int(sys.argv[1]))
