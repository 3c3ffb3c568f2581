"""The API Impôt particulier sandbox, appended to ``civiquest.sandbox.urls`` (under ``/sandbox/dgfip/``)."""

from django.urls import URLPattern, path

from civiquest.sandbox import dgfip

urlpatterns: list[URLPattern] = [
    path("dgfip/situations/ir/assiettes/annrev/<int:year>", dgfip.situation_ir, name="dgfip-situation-ir"),
]
