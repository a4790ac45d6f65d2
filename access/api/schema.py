"""The API key scheme in the OpenAPI document (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "access.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key of the organization (Settings → API keys), as "
            "'Authorization: Bearer kapi_…'.",
        }


def paths_without_trailing_slash(result, generator, request, public):
    """The routes answer with and without a trailing slash (`/?$`); the document names each
    once, as the API reference spells it: without."""
    result["paths"] = {
        (path.rstrip("/") or "/"): item for path, item in result.get("paths", {}).items()
    }
    return result
