from django.urls import path

from console import views

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:org_slug>/", views.dashboard, name="dashboard"),
    path("o/<slug:org_slug>/people/", views.people, name="people"),
    path("o/<slug:org_slug>/people/<str:person_id>/", views.person_detail, name="person_detail"),
    path("o/<slug:org_slug>/groups/", views.groups, name="groups"),
    path("o/<slug:org_slug>/groups/<str:group_id>/", views.group_detail, name="group_detail"),
    path("o/<slug:org_slug>/settings/", views.settings_index, name="settings"),
]
