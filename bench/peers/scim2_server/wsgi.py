"""scim2-server 0.8.3 as a WSGI callable for gunicorn, built the way its `scim2-server`
command builds its application (scim2_server/testserver/cli.py): the RFC 7643 schemas and
resource types, the default ServiceProviderConfig, an InMemoryStorage, the static
bearer-token application (testserver.application.BearerTokenApplication).

Environment: SCIM2_SERVER_TOKEN (default peer-token; comma list accepted; empty = no auth,
as the CLI without --bearer-token), SCIM2_SERVER_SECRET (the cursor secret; drawn at
random otherwise, as the CLI).

The storage lives in the process's memory: run ONE gunicorn worker (threads are fine, the
storage takes an RLock). Several workers would each hold a different set of resources.
"""

import os
import secrets

from scim2_models import ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
from scim2_server.utils import (
    load_default_resource_types,
    load_default_schemas,
    load_default_service_provider_config,
)

tokens = [t for t in os.environ.get("SCIM2_SERVER_TOKEN", "peer-token").split(",") if t]
config = load_default_service_provider_config()
if tokens:
    config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
provider = ScimProvider.from_discovery(
    load_default_schemas().values(), load_default_resource_types().values(), config=config
)
service = ScimService(
    provider, secret=os.environ.get("SCIM2_SERVER_SECRET") or secrets.token_urlsafe(32)
)
storage = InMemoryStorage()
application = BearerTokenApplication(storage, provider, service=service, bearer_tokens=tokens)
