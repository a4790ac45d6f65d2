"""The SCIM 2.0 endpoint at /scim/v2/, built on django-scim2's views, adapters and settings
hooks, with what the library lacks: token auth, org scoping, strict filters, paging, SCIM
error bodies everywhere, the provisioning log and rate limiting."""
