"""The access pages, mounted by kisiscim/urls.py: the console's under /o/<org_slug>/ (the
`access` and `api_keys` namespaces) and My doors under /me/doors/ (`my_doors`)."""

from django.urls import path

from access import views

console_patterns = (
    [
        path("doors/", views.doors, name="doors"),
        path("doors/places/new/", views.place_create_view, name="place_create"),
        path("doors/places/<str:place_id>/rename/", views.place_rename_view, name="place_rename"),
        path("doors/new/", views.door_create_view, name="door_create"),
        path("doors/<str:door_id>/", views.door_detail, name="door"),
        path("doors/<str:door_id>/rename/", views.door_rename_view, name="door_rename"),
        path("doors/<str:door_id>/lockdown/", views.door_lockdown_view, name="door_lockdown"),
        path("doors/<str:door_id>/lift-lockdown/", views.door_lift_view, name="door_lift"),
        path("doors/<str:door_id>/why/", views.why, name="why"),
        path("why/", views.why_any, name="why_any"),
        path("groups/<str:group_id>/grants/new/", views.grant_create_view, name="grant_create"),
        path("grants/<str:grant_id>/delete/", views.grant_delete_view, name="grant_delete"),
        path("people/<str:person_id>/cards/new/", views.card_add_view, name="card_add"),
        path("cards/<str:card_id>/revoke/", views.card_revoke_view, name="card_revoke"),
    ],
    "access",
)

api_key_patterns = (
    [
        path("", views.api_keys, name="list"),
        path("new/", views.api_key_create_view, name="create"),
        path("<str:key_id>/revoke/", views.api_key_revoke_view, name="revoke"),
    ],
    "api_keys",
)

me_patterns = (
    [
        path("", views.my_doors, name="list"),
        path("<str:door_id>/unlock/", views.my_door_unlock, name="unlock"),
    ],
    "my_doors",
)
