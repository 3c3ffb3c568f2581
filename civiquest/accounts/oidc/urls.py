"""Sign-in with FranceConnect and ProConnect, mounted under /compte/.

The callback paths are the redirect URIs registered at the providers: settings build
their defaults from the same paths (``oidc_provider_settings`` in config/settings.py).
"""

from django.urls import URLPattern, path

from civiquest.accounts.oidc import views

app_name = "oidc"

urlpatterns: list[URLPattern] = [
    path("connexion/franceconnect/", views.franceconnect_sign_in, name="franceconnect"),
    path("connexion/franceconnect/demarrer/", views.start, {"slug": "franceconnect"}, name="franceconnect-start"),
    path("connexion/franceconnect/retour/", views.callback, {"slug": "franceconnect"}, name="franceconnect-callback"),
    path("connexion/proconnect/", views.proconnect_sign_in, name="proconnect"),
    path("connexion/proconnect/demarrer/", views.start, {"slug": "proconnect"}, name="proconnect-start"),
    path("connexion/proconnect/retour/", views.callback, {"slug": "proconnect"}, name="proconnect-callback"),
    path("connexion/conditions/", views.consent, name="consent"),
    path("se-deconnecter/", views.logout, name="logout"),
    path("deconnexion/retour/", views.logout_callback, name="logout-callback"),
]
