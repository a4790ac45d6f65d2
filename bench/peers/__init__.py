"""The peers `make bench` measures KisiSCIM against, on the same machine and database server:
the design card's library used as documented (a stock django-scim2 app, `django_scim2/`) and
the python-scim reference server (scim2-server, `scim2_server/`). `python -m bench.peers.run`
runs the same Okta-shaped workloads against each and prints one table."""
