"""Reads. Every selector takes the org first and never returns another org's rows."""
