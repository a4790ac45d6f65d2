"""The SCIM views, mounted by provisioning/scim/urls.py."""

from provisioning.scim.views.discovery import (
    NotImplementedView,
    ResourceTypesView,
    SchemasView,
    ServiceProviderConfigView,
    not_found,
)
from provisioning.scim.views.resources import GroupsView, UsersView
from provisioning.scim.views.search import GroupSearchView, RootSearchView, UserSearchView

__all__ = [
    "GroupSearchView",
    "GroupsView",
    "NotImplementedView",
    "ResourceTypesView",
    "RootSearchView",
    "SchemasView",
    "ServiceProviderConfigView",
    "UserSearchView",
    "UsersView",
    "not_found",
]
