"""Writes: every change to organizations, accounts, SSO, people and groups goes through here."""
