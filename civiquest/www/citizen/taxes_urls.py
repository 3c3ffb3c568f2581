from django.urls import URLPattern, path

from civiquest.www.citizen import taxes_views

urlpatterns: list[URLPattern] = [
    path("mon-espace/impots/simulateur/", taxes_views.tax_simulator, name="tax-simulator"),
]
