from django.urls import path

from civiquest.www.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("agents/", views.agents, name="agents"),
    path("agents/invitations/<int:invitation_id>/revoquer/", views.invitation_revoke_view, name="invitation-revoke"),
]
