"""Bases for the staff admin that every app's admin.py shares."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kisiscim.exceptions import Conflict


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, never add, change or delete: the product writes these rows itself
    (append-only trails, or changes that must go through a service to be audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class Refused(Exception):
    """A service refused a staff edit (a rule it would break); the edit is rolled back."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def refusals() -> Iterator[None]:
    """Domain errors from the services, as a refusal of the whole admin edit."""
    try:
        yield
    except Conflict as exc:
        raise Refused(exc.message) from exc
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages)) from exc


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose writes go through the services (its save_model, save_related and
    actions call them), so staff edits are audited and keep every rule the console keeps.

    Django's change form runs in one transaction. A service's refusal (raised as `Refused`
    from save_model or save_related) leaves it as an exception, so nothing of the edit is
    saved; the form is then shown again, as submitted, with the refusal as its error.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:
            # Again, with the refusal as a form error: the form is invalid this time, so
            # Django renders it with the submitted values and saves nothing.
            request._service_refusal = exc.message  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):  # type: ignore[valid-type, misc]
            def clean(self) -> dict[str, Any]:
                super().clean()
                raise ValidationError(refusal)

        return RefusedForm

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines were saved through the services, not formset.save(), which is what
        # records these; the audit trail has the details.
        for formset in formsets:
            for attr in ("new_objects", "changed_objects", "deleted_objects"):
                if not hasattr(formset, attr):
                    setattr(formset, attr, [])
        return super().construct_change_message(request, form, formsets, add)


class OlderThanFilter(admin.SimpleListFilter):
    """Rows whose `field` is more than N days ago (e.g. people suspended for more than N
    days, the cleanup audit's question). Subclasses name the field and the options."""

    title = "older than"
    parameter_name = "older_than_days"
    field = ""
    options: list[tuple[str, str]] = [
        ("7", "7 days"),
        ("30", "30 days"),
        ("90", "90 days"),
        ("365", "1 year"),
    ]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return self.options

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value() or not self.value().isdigit():
            return queryset
        cutoff = timezone.now() - dt.timedelta(days=int(self.value()))
        return queryset.filter(**self.filter_kwargs(cutoff))

    def filter_kwargs(self, cutoff: dt.datetime) -> dict[str, object]:
        return {f"{self.field}__lt": cutoff}
