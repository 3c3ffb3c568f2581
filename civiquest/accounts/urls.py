from django.urls import path

from civiquest.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views.otp_verify, name="otp-verify"),
    path("connexion/code/activation/", views.otp_enrol, name="otp-enrol"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("redirection/", views.after_login, name="after-login"),
]
