from django.urls import path

from civiquest.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accessibilite/", views.accessibility_statement, name="footer-accessibility-status"),
    path("mentions-legales/", views.legal_notice, name="footer-legal-notice"),
    path("donnees-personnelles/", views.personal_data, name="footer-personal-data"),
    path("plan-du-site/", views.sitemap, name="footer-sitemap"),
]
