"""The BAN geocoder sandbox's routes (Géoplateforme protocol), appended to ``civiquest.sandbox.urls``.

``/sandbox/ban/geocodage/search`` and ``/sandbox/ban/geocodage/reverse``, answered by the
embedded local geocoder.
"""

from django.urls import URLPattern, path

from civiquest.sandbox import ban

urlpatterns: list[URLPattern] = [
    path("ban/geocodage/search", ban.search, name="ban-search"),
    path("ban/geocodage/reverse", ban.reverse, name="ban-reverse"),
]
