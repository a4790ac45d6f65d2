"""Time per ACS verification: `python -m bench.saml_acs [N]`.

Two figures over N fresh responses signed by pysaml2's IdP (the signing is not timed):
- verify: sso.saml.response_verify alone (python3-saml's schema, signature and condition
  checks on one response);
- ACS POST: the whole POST /saml/<slug>/acs/ through Django's test client on a throwaway
  SQLite database: verification, the request and replay tables, matching the person, the
  audit event and the session.
"""

import os
import statistics
import sys
import time


def _pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{label:<12} n={len(ms)} p50={_pct(ms, 50):.1f} ms p90={_pct(ms, 90):.1f} ms "
        f"p99={_pct(ms, 99):.1f} ms mean={statistics.mean(ms):.1f} ms"
    )


def main(n: int = 200) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kisiscim.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.actor import Actor
    from accounts.services.orgs import org_create
    from accounts.services.people import person_create
    from sso import saml
    from tests.sso.saml_idp import SamlIdP
    from tests.sso.support import SP, idp_trust, sp_metadata

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    idp = SamlIdP()
    try:
        org, _ = org_create(
            slug="acme",
            name="Acme",
            owner_email="owner@acme.example.com",
            owner_password="correct-horse-battery",
            actor=Actor.system(),
        )
        person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
        idp_trust(org, idp)
        idp.register_sp(sp_metadata(Client(), "acme"))
        sp = SP("acme")
        urls = saml.sp_urls(base_url="http://testserver", slug="acme")
        make = lambda: idp.response(  # noqa: E731
            sp_entity_id=sp.entity_id, acs_url=sp.acs, email="ada@acme.example.com"
        )
        for _ in range(10):  # warm-up: schemas loaded, connections open
            saml.response_verify(
                saml_response=make(),
                sp=urls,
                idp_entity_id=idp.entity_id,
                certificates=[idp.certificate],
            )
        responses = [make() for _ in range(n)]
        verify = []
        for r in responses:
            t = time.perf_counter()
            saml.response_verify(
                saml_response=r,
                sp=urls,
                idp_entity_id=idp.entity_id,
                certificates=[idp.certificate],
            )
            verify.append(time.perf_counter() - t)
        posts = []
        for r in [make() for _ in range(n)]:
            client = Client()
            t = time.perf_counter()
            response = client.post("/saml/acme/acs/", {"SAMLResponse": r})
            posts.append(time.perf_counter() - t)
            assert response.status_code == 302, response.content[:300]
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        _report("verify", verify)
        _report("ACS POST", posts)
    finally:
        idp.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
