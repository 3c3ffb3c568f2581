from django.urls import URLPattern, path

from civiquest.www.citizen import mandate_views

urlpatterns: list[URLPattern] = [
    path("mon-espace/aidants/", mandate_views.mandates, name="mandates"),
    path("mon-espace/aidants/nouveau/", mandate_views.mandate_new, name="mandate-new"),
    path("mon-espace/aidants/<int:mandate_id>/revoquer/", mandate_views.mandate_revoke_view, name="mandate-revoke"),
    path("mon-espace/aidants/<int:mandate_id>/journal/", mandate_views.mandate_journal, name="mandate-journal"),
    path("mon-espace/aidant/", mandate_views.helper_space, name="helper-space"),
    path("mon-espace/aidant/code/", mandate_views.helper_code, name="helper-code"),
    path("mon-espace/aidant/documents/<int:document_id>/", mandate_views.helper_document, name="helper-document"),
    path(
        "mon-espace/aidant/structures/<int:structure_id>/",
        mandate_views.structure_mandates,
        name="structure-mandates",
    ),
]
