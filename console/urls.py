from django.urls import path

from console.views import audit, dashboard, groups, me, people, settings

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("me/", me.me, name="me"),
    path("o/<slug:org_slug>/", dashboard.dashboard, name="dashboard"),
    path("o/<slug:org_slug>/people/", people.people, name="people"),
    path("o/<slug:org_slug>/people/<str:person_id>/", people.person_detail, name="person_detail"),
    path(
        "o/<slug:org_slug>/people/<str:person_id>/suspend/",
        people.person_suspend,
        name="person_suspend",
    ),
    path(
        "o/<slug:org_slug>/people/<str:person_id>/reactivate/",
        people.person_reactivate,
        name="person_reactivate",
    ),
    path("o/<slug:org_slug>/audit/", audit.audit_trail, name="audit_trail"),
    path("o/<slug:org_slug>/audit/export.csv", audit.audit_export_csv, name="audit_export"),
    path("o/<slug:org_slug>/groups/", groups.groups, name="groups"),
    path("o/<slug:org_slug>/groups/<str:group_id>/", groups.group_detail, name="group_detail"),
    path(
        "o/<slug:org_slug>/groups/<str:group_id>/members/add/",
        groups.group_member_add,
        name="group_member_add",
    ),
    path(
        "o/<slug:org_slug>/groups/<str:group_id>/members/remove/",
        groups.group_member_remove,
        name="group_member_remove",
    ),
    path("o/<slug:org_slug>/settings/", settings.settings_index, name="settings"),
]
