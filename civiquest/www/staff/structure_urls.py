from django.urls import URLPattern, path

from civiquest.www.staff import structure_views

urlpatterns: list[URLPattern] = [
    path("structures/", structure_views.structures, name="structures"),
    path("structures/<int:structure_id>/", structure_views.structure, name="structure"),
    path(
        "structures/<int:structure_id>/membres/",
        structure_views.structure_member_add_view,
        name="structure-member-add",
    ),
]
