from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from civiquest.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    # The editor endpoints ANTS calls (server to server, X-HUB-RDV-AUTH-TOKEN).
    path("api/ants/", include("civiquest.appointments.editor_urls")),
    path("", include("civiquest.www.citizen.urls")),
    path("agent/", include("civiquest.www.agent.urls")),
    path("gestion/", include("civiquest.www.staff.urls")),
    path("compte/", include("civiquest.accounts.urls")),
    path("compte/", include("civiquest.accounts.oidc.urls")),
    path("", include("civiquest.www.site_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

if settings.SANDBOXES_ENABLED:
    # Local FranceConnect, ProConnect and State API simulators: never mounted in production.
    urlpatterns.append(path("sandbox/", include("civiquest.sandbox.urls")))

handler403 = "civiquest.www.site_views.permission_denied"
handler404 = "civiquest.www.site_views.page_not_found"
handler500 = "civiquest.www.site_views.server_error"
