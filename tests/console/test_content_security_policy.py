"""A Content-Security-Policy on every console page, with nothing inline for it to allow: no
template has an inline <script>, an event-handler attribute or a style attribute (the
browser tests run the moved scripts under the policy)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    "path",
    ["/o/{slug}/", "/o/{slug}/people/", "/o/{slug}/groups/", "/o/{slug}/settings/sso-scim/",
     "/o/{slug}/cleanup/", "/o/{slug}/provisioning-log/"],
)  # fmt: skip
def test_every_console_page_has_the_policy(owner_client, org, path):
    r = owner_client.get(path.format(slug=org.slug))
    assert r.status_code == 200
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_sign_in_page_has_the_policy(client):
    assert "script-src 'self'" in client.get("/login/")["Content-Security-Policy"]


def test_no_template_has_inline_script_handlers_or_styles():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*="):
            if re.search(pattern, text, flags=re.I):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []
