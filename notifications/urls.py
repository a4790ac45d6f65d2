"""Mounted at /o/<org_slug>/."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("alerts/<int:alert_id>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]
