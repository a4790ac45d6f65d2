"""Discovery documents (RFC 7643 §5-7): what this service provider offers, exactly.

The User schema publishes only the attributes the product stores, plus `sendEmails`
(immutable: honoured on creation only). The library's bundled schemas advertise every RFC
attribute, which compliance tools would then expect to round-trip.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from provisioning.scim.constants import (
    GROUP_SCHEMA,
    KISISCIM_USER_SCHEMA,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SPC_SCHEMA,
    USER_SCHEMA,
)


def _attr(
    name: str,
    *,
    type_: str = "string",
    description: str,
    required: bool = False,
    case_exact: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    multi: bool = False,
    sub: list[dict[str, Any]] | None = None,
    canonical: list[str] | None = None,
    reference_types: list[str] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "description": description,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if type_ in ("string", "reference"):
        doc["caseExact"] = case_exact
        doc["uniqueness"] = uniqueness
    if sub is not None:
        doc["subAttributes"] = sub
    if canonical is not None:
        doc["canonicalValues"] = canonical
    if reference_types is not None:
        doc["referenceTypes"] = reference_types
    return doc


USER_ATTRIBUTES = [
    _attr(
        "userName",
        description="Unique per organization, compared case-insensitively, kept as sent.",
        required=True,
        uniqueness="server",
    ),
    _attr(
        "name",
        type_="complex",
        description="The person's name.",
        sub=[
            _attr("givenName", description="Given name."),
            _attr("familyName", description="Family name."),
        ],
    ),
    _attr("displayName", description="Name shown in the console."),
    _attr("locale", description="Locale, e.g. en-US."),
    # Required here: every person is active or suspended, so it can never be unassigned.
    _attr(
        "active",
        type_="boolean",
        required=True,
        description="false suspends the person: no door access. Defaults to true on creation.",
    ),
    _attr(
        "emails",
        type_="complex",
        multi=True,
        description="Email addresses.",
        sub=[
            _attr("value", description="The address."),
            _attr("type", description="e.g. work.", canonical=["work", "home", "other"]),
            _attr("primary", type_="boolean", description="The primary address."),
        ],
    ),
    _attr(
        "groups",
        type_="complex",
        multi=True,
        mutability="readOnly",
        description="Groups the person belongs to (change them through /Groups).",
        sub=[
            _attr("value", description="Group id.", mutability="readOnly"),
            _attr("display", description="Group name.", mutability="readOnly"),
            _attr(
                "$ref",
                type_="reference",
                description="Group URI.",
                mutability="readOnly",
                reference_types=["Group"],
            ),
        ],
    ),
    _attr(
        "sendEmails",
        type_="boolean",
        mutability="immutable",
        description="Set only when the person is created: false means the product never "
        "emails this person. Later values are ignored.",
    ),
]

KISISCIM_USER_ATTRIBUTES = [
    _attr(
        "cardNumber",
        description="The number of the person's access card, managed by the identity "
        "provider: a new value replaces the card, null or an empty string revokes it. Cards "
        "added in the console are not affected. Unique among the organization's live cards.",
        case_exact=True,
        uniqueness="server",
    ),
]

GROUP_ATTRIBUTES = [
    _attr(
        "displayName",
        description="Unique per organization, compared case-insensitively.",
        required=True,
        uniqueness="server",
    ),
    _attr(
        "members",
        type_="complex",
        multi=True,
        description="The organization's people in this group.",
        sub=[
            _attr("value", description="User id.", mutability="immutable", case_exact=True),
            _attr(
                "$ref",
                type_="reference",
                description="User URI.",
                mutability="immutable",
                reference_types=["User"],
            ),
            _attr("type", description="Always User.", mutability="immutable", canonical=["User"]),
        ],
    ),
]


def _url(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


def schemas(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [SCHEMA_SCHEMA],
            "id": USER_SCHEMA,
            "name": "User",
            "description": "A person of the organization",
            "attributes": USER_ATTRIBUTES,
            "meta": {
                "resourceType": "Schema",
                "location": _url(request, "scim:schemas", uuid=USER_SCHEMA),
            },
        },
        {
            "schemas": [SCHEMA_SCHEMA],
            "id": KISISCIM_USER_SCHEMA,
            "name": "KisiSCIM User",
            "description": "Door-access attributes of a person",
            "attributes": KISISCIM_USER_ATTRIBUTES,
            "meta": {
                "resourceType": "Schema",
                "location": _url(request, "scim:schemas", uuid=KISISCIM_USER_SCHEMA),
            },
        },
        {
            "schemas": [SCHEMA_SCHEMA],
            "id": GROUP_SCHEMA,
            "name": "Group",
            "description": "A group of the organization's people; groups grant door access",
            "attributes": GROUP_ATTRIBUTES,
            "meta": {
                "resourceType": "Schema",
                "location": _url(request, "scim:schemas", uuid=GROUP_SCHEMA),
            },
        },
    ]


def resource_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person of the organization",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": KISISCIM_USER_SCHEMA, "required": False}],
            "meta": {
                "resourceType": "ResourceType",
                "location": _url(request, "scim:resource-types", uuid="User"),
            },
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A group of the organization's people",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {
                "resourceType": "ResourceType",
                "location": _url(request, "scim:resource-types", uuid="Group"),
            },
        },
    ]


def service_provider_config(request: HttpRequest) -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": settings.SCIM_DOCUMENTATION_URI or None,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": settings.SCIM_MAX_PAGE_SIZE},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "The SCIM token from Settings → SSO & SCIM, sent as "
                "'Authorization: Bearer <token>'.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": _url(request, "scim:service-provider-config"),
        },
    }
