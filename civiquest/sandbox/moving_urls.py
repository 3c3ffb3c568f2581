"""Sandbox routes appended to ``civiquest.sandbox.urls``: the moving-house recipients (``/sandbox/demenagement/``)."""

from django.urls import URLPattern, path

from civiquest.sandbox import moving

urlpatterns: list[URLPattern] = [
    path("demenagement/<slug:organisation>/declarations", moving.declarations, name="moving-declarations"),
    path(
        "demenagement/<slug:organisation>/declarations/<str:remote_id>",
        moving.declaration,
        name="moving-declaration",
    ),
]
