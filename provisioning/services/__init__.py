"""Writes for SCIM enablement, tokens, the provisioning log and cleanup audits."""
