"""Sandbox providers, mounted under /sandbox/ only when settings.SANDBOXES_ENABLED (never in production)."""

from django.urls import URLPattern, path

from civiquest.sandbox import views
from civiquest.sandbox.ants_urls import urlpatterns as ants_urlpatterns
from civiquest.sandbox.ban_urls import urlpatterns as ban_urlpatterns
from civiquest.sandbox.dgfip_urls import urlpatterns as dgfip_urlpatterns
from civiquest.sandbox.llm_urls import urlpatterns as llm_urlpatterns
from civiquest.sandbox.moving_urls import urlpatterns as moving_urlpatterns
from civiquest.sandbox.providers import PROVIDERS

app_name = "sandbox"

ENDPOINTS = (
    (".well-known/openid-configuration", views.discovery, "discovery"),
    ("authorize", views.authorize, "authorize"),
    ("login", views.login, "login"),
    ("token", views.token, "token"),
    ("userinfo", views.userinfo, "userinfo"),
    ("jwks", views.jwks, "jwks"),
    ("session/end", views.session_end, "session-end"),
)

urlpatterns: list[URLPattern] = [
    path(f"{slug}/api/v2/{route}", view, {"slug": slug}, name=f"{slug}-{name}")
    for slug in PROVIDERS
    for route, view, name in ENDPOINTS
]

# The OpenAI-compatible LLM sandbox: /sandbox/llm/v1/models, /sandbox/llm/v1/chat/completions.
urlpatterns += llm_urlpatterns

# The State API sandboxes of the integrations (BAN geocoder, ANTS coordination, DGFiP,
# moving-house recipients): each speaks its real API's protocol.
for _module in (ban_urlpatterns, ants_urlpatterns, dgfip_urlpatterns, moving_urlpatterns):
    urlpatterns += _module
