from django.urls import include, path

# As django-scim2's README: the namespace comes from django_scim.urls (app_name = "scim").
urlpatterns = [
    path("scim/v2/", include("django_scim.urls")),
]
