"""The library's adapters, subclassed minimally (nothing overridden): USER_ADAPTER and
GROUP_ADAPTER point here so the bench exercises django-scim2's own behaviour."""

from django_scim import adapters


class SCIMUser(adapters.SCIMUser):
    pass


class SCIMGroup(adapters.SCIMGroup):
    pass
