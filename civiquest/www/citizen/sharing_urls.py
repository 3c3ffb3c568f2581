from django.urls import URLPattern, path

from civiquest.www.citizen import circle_views, sharing_views

urlpatterns: list[URLPattern] = [
    # Share links (issue 19): the public page, the owner's list, create, revoke.
    path("partage/<slug:token>/", sharing_views.share_public, name="share-public"),
    path("mon-espace/partages/", sharing_views.shares, name="shares"),
    path("mon-espace/partages/nouveau/", sharing_views.share_create, name="share-create"),
    path("mon-espace/partages/<int:share_id>/revoquer/", sharing_views.share_revoke, name="share-revoke"),
    # Circles (opt-in): members see only what each member chose to show.
    path("mon-espace/cercles/", circle_views.circles, name="circles"),
    path("mon-espace/cercles/pseudonyme/", circle_views.circle_pseudonym, name="circle-pseudonym"),
    path("mon-espace/cercles/nouveau/", circle_views.circle_create, name="circle-create"),
    path("mon-espace/cercles/invitation/<slug:token>/", circle_views.circle_join, name="circle-join"),
    path("mon-espace/cercles/<int:circle_id>/", circle_views.circle, name="circle"),
    path("mon-espace/cercles/<int:circle_id>/inviter/", circle_views.circle_invite, name="circle-invite"),
    path("mon-espace/cercles/<int:circle_id>/visibilite/", circle_views.circle_visibility, name="circle-visibility"),
    path("mon-espace/cercles/<int:circle_id>/quitter/", circle_views.circle_leave, name="circle-leave"),
    path(
        "mon-espace/cercles/<int:circle_id>/membres/<int:membership_id>/retirer/",
        circle_views.circle_member_remove,
        name="circle-member-remove",
    ),
    path("mon-espace/cercles/<int:circle_id>/supprimer/", circle_views.circle_delete, name="circle-delete"),
]
