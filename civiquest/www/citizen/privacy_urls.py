from django.urls import URLPattern, path

from civiquest.www.citizen import privacy_views

urlpatterns: list[URLPattern] = [
    path("mon-espace/mes-donnees/", privacy_views.privacy, name="privacy"),
    path("mon-espace/mes-donnees/export/", privacy_views.export, name="privacy-export"),
    path(
        "mon-espace/mes-donnees/export/<uuid:public_id>/",
        privacy_views.export_download,
        name="privacy-export-download",
    ),
    path("mon-espace/mes-donnees/suppression/", privacy_views.erase, name="privacy-erase"),
    path("compte-supprime/", privacy_views.erased, name="privacy-erased"),
]
