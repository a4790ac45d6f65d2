"""Reads for SCIM enablement, tokens, the provisioning log and cleanup audits; org first."""
