from django.urls import URLPattern, path

from civiquest.www.staff import progress_views

urlpatterns: list[URLPattern] = [
    path("usagers/<int:user_id>/progression/", progress_views.citizen_ledger, name="citizen-ledger"),
    path(
        "usagers/<int:user_id>/progression/<int:entry_id>/annuler/",
        progress_views.xp_entry_revoke,
        name="xp-entry-revoke",
    ),
]
