from django.urls import include, path

from civiquest.www.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("agents/", views.agents, name="agents"),
    path("agents/invitations/<int:invitation_id>/revoquer/", views.invitation_revoke_view, name="invitation-revoke"),
    path("agents/membres/<int:membership_id>/retirer/", views.membership_revoke_view, name="membership-revoke"),
    path("", include("civiquest.www.staff.builder_urls")),
    path("", include("civiquest.www.staff.assistant_urls")),
    path("", include("civiquest.www.staff.progress_urls")),
    path("", include("civiquest.www.staff.recommendation_urls")),
    path("", include("civiquest.www.staff.moderation_urls")),
    path("", include("civiquest.www.staff.structure_urls")),
]
