"""The one home of SCIM's names: the endpoint's path and the schema URNs (RFC 7643, 7644)."""

# Every org's SCIM base URL is this path on the console's host: the token alone identifies the
# org (DESIGN.md), so there is no per-org prefix.
SCIM_PREFIX = "/scim/v2"
SCIM_BASE_PATH = SCIM_PREFIX + "/"

SCIM_CONTENT_TYPE = "application/scim+json"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# The product's own User extension (RFC 7643 §3.3): `cardNumber`, a card credential, which
# Okta maps from a profile attribute (External namespace: this URN).
KISISCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:kisiscim:2.0:User"
SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
