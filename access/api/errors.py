"""Every REST API error is `{"detail": "…"}` with a 4xx status. Field errors add
`"errors": {field: [messages]}` beside a one-line `detail` that sums them up."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from kisiscim.exceptions import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with what exists."
    default_code = "conflict"


def _summary(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        lines: list[str] = []
        for key, value in data.items():
            label = "" if key in ("non_field_errors", "__all__", "detail") else str(key)
            lines += _summary(value, f"{prefix}.{label}" if prefix and label else label or prefix)
        return lines
    if isinstance(data, list):
        lines = []
        for item in data:
            lines += _summary(item, prefix)
        return lines
    return [f"{prefix}: {data}" if prefix else str(data)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        response.data = {"detail": "; ".join(_summary(errors)) or "Invalid request."}
        if isinstance(errors, dict):
            response.data["errors"] = errors
    elif not (isinstance(response.data, dict) and "detail" in response.data):
        response.data = {"detail": "; ".join(_summary(response.data))}
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/v1/: a JSON 404, whatever the method."""
    return JsonResponse({"detail": "No such endpoint. See /api/v1/docs/."}, status=404)
