from django.urls import URLPattern, path

from civiquest.www.citizen import wallet_views

urlpatterns: list[URLPattern] = [
    path("mon-espace/documents/", wallet_views.documents, name="documents"),
    path("mon-espace/documents/ajouter/", wallet_views.document_upload, name="document-upload"),
    path("mon-espace/documents/<int:document_id>/supprimer/", wallet_views.document_delete, name="document-delete"),
    path(
        "mon-espace/documents/<int:document_id>/telecharger/",
        wallet_views.document_download,
        name="document-download",
    ),
]
