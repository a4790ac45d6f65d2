import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_dashboard_shows_counts(owner_client, org):
    response = owner_client.get(reverse("dashboard", args=[org.slug]))
    assert response.status_code == 200
    assert b"Active people" in response.content
