"""django-scim2 adapters (USER_ADAPTER / GROUP_ADAPTER): SCIM JSON ↔ people and groups."""

from provisioning.scim.adapters.groups import SCIMGroupAdapter
from provisioning.scim.adapters.users import SCIMPerson

__all__ = ["SCIMGroupAdapter", "SCIMPerson"]
