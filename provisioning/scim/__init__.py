"""The SCIM 2.0 endpoint at /scim/v2/: our views (org-scoped, paged, SCIM errors everywhere)
on django-scim2's auth-check hook and adapter interface, with strict filters, the provisioning
log and rate limiting. docs/architecture.md says which parts are the library's and why."""
