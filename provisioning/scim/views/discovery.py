"""Discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas), what is not offered
(/Me, /Bulk: 501) and what does not exist (a SCIM 404, never HTML or a redirect)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from provisioning.scim import schemas
from provisioning.scim.errors import NotFound, scim_error_response, scim_json_response
from provisioning.scim.views.base import ScimBaseView, list_response


class ServiceProviderConfigView(ScimBaseView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return scim_json_response(schemas.service_provider_config(request))


class ResourceTypesView(ScimBaseView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        return _discovery(schemas.resource_types(request), uuid, "ResourceType")


class SchemasView(ScimBaseView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        return _discovery(schemas.schemas(request), uuid, "Schema")


def _discovery(resources: list[dict[str, Any]], uuid: str | None, kind: str) -> HttpResponse:
    if uuid:
        for resource in resources:
            if resource["id"] == uuid:
                return scim_json_response(resource)
        raise NotFound(f"{kind} {uuid} not found.")
    return list_response(resources, len(resources), 1)


class NotImplementedView(ScimBaseView):
    """/Me and /Bulk: defined by RFC 7644, not offered here (the SPC says so)."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return scim_error_response(
            501, f"{request.path} is not supported by this service provider."
        )

    post = put = patch = delete = get


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Anything else under /scim/v2/: a SCIM 404, never an HTML page or a redirect."""
    return scim_error_response(404, f"No SCIM resource at {request.path}.")
