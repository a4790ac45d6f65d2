"""Mounted at /o/<org_slug>/."""

from django.urls import path

from provisioning.cleanup import views

app_name = "cleanup"

urlpatterns = [
    path("cleanup/", views.cleanup_audit, name="audit"),
    path("cleanup/decide/", views.cleanup_decide, name="decide"),
    path("cleanup/export.csv", views.cleanup_export, name="export"),
    path("settings/cleanup/", views.cleanup_threshold, name="threshold"),
    path("alerts/<int:alert_id>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]
