"""Mounted at /o/<org_slug>/."""

from django.urls import path

from provisioning.log import views

app_name = "provisioning_log"

urlpatterns = [
    path("provisioning-log/", views.provisioning_log, name="list"),
]
