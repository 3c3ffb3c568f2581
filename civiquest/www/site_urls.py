from django.urls import path

from civiquest.www import site_views as views
from civiquest.www.citizen import privacy_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Where browsers post content security policy violations (settings.CIVIQUEST_CSP_REPORT_PATH).
    path("csp-report", views.csp_report, name="csp-report"),
    path("accessibilite/", views.accessibility_statement, name="footer-accessibility-status"),
    path("mentions-legales/", views.legal_notice, name="footer-legal-notice"),
    # The privacy page is written from the data map of civiquest.privacy (its view is a citizen page).
    path("confidentialite/", privacy_views.privacy_policy, name="footer-personal-data"),
    path("donnees-personnelles/", privacy_views.privacy_policy_moved, name="footer-personal-data-moved"),
    path("plan-du-site/", views.sitemap, name="footer-sitemap"),
]
