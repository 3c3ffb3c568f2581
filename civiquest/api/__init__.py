"""The JSON API at ``/api/v1/`` (django-ninja; schema at ``/api/v1/openapi.json``).

Each app owns a router in its ``api.py``; this module only mounts them.
"""

from __future__ import annotations

from ninja import NinjaAPI

from civiquest.api.entraide import router as entraide_router
from civiquest.api.mandates import router as mandates_router
from civiquest.api.moderation import router as moderation_router
from civiquest.api.recommendations import router as recommendations_router
from civiquest.api.services import router as services_router
from civiquest.api.sharing import router as sharing_router
from civiquest.assistant.api import router as assistant_router
from civiquest.core import api_errors
from civiquest.integrations.address.api import router as address_router
from civiquest.integrations.taxes.api import router as taxes_router
from civiquest.privacy.api import router as privacy_router

api = NinjaAPI(
    title="CiviQuest API",
    version="1",
    urls_namespace="api",
    docs_url=None,
)
# Bad input is a 400 with a French message, in every router (not ninja's 422 in English).
api_errors.install(api)
api.add_router("/assistant/", assistant_router)
api.add_router("/address/", address_router)
api.add_router("/taxes/", taxes_router)
api.add_router("/me", privacy_router)
api.add_router("/me", recommendations_router)
api.add_router("/entraide/", entraide_router)
api.add_router("/entraide/", moderation_router)
api.add_router("/me", sharing_router)
api.add_router("/me", mandates_router)
api.add_router("/services/", services_router)
