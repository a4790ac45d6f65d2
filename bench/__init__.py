"""`make bench`: KisiSCIM at the scale of a large customer, over real HTTP.

`python -m bench.run` builds (or reuses) a reproducible data set in its own PostgreSQL
database, starts gunicorn on loopback, drives Okta-shaped SCIM requests at it and writes
bench/results/<date>.json. See docs/performance.md for the figures and how to read them.
"""
