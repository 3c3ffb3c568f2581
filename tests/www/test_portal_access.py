"""Each portal lets in its own role, sends anonymous visitors to sign in, and refuses the others."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tests.accounts.factories import DEFAULT_PASSWORD, current_code, login_verified

PORTAL_HOMES = {"citizen": "citizen:dashboard", "agent": "agent:home", "staff": "staff:home"}


@pytest.mark.parametrize("role", ["citizen", "agent", "staff"])
@pytest.mark.parametrize("portal", ["citizen", "agent", "staff"])
def test_each_portal_lets_in_its_role_only(client, user_for_role, role, portal):
    login_verified(client, user_for_role(role))
    response = client.get(reverse(PORTAL_HOMES[portal]))
    if role == portal:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        content = response.content.decode()
        # The design system's 403 page, not a stack trace.
        assert "fr-header" in content and "fr-footer" in content
        assert "Accès refusé" in content
        assert "Traceback" not in content


def test_an_inactive_account_cannot_enter_its_portal(client, agent):
    client.force_login(agent)
    agent.is_active = False
    agent.save()
    response = client.get(reverse("agent:home"))
    # The session no longer names an active user: an anonymous visitor, sent to sign in.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("oidc:proconnect"))


def staff_sign_in(client, user, data=None, next_url=""):
    """Password, then the TOTP code: the response to the code step."""
    login_url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    response = client.post(login_url, {"username": user.username, "password": DEFAULT_PASSWORD, **(data or {})})
    assertRedirects(response, reverse("accounts:otp-verify"), fetch_redirect_response=False)
    return client.post(reverse("accounts:otp-verify"), {"code": current_code(user)})


def test_signing_in_leads_staff_to_their_portal(client, staff):
    response = staff_sign_in(client, staff)
    assertRedirects(response, reverse("accounts:after-login"), target_status_code=302)
    response = client.get(reverse("accounts:after-login"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff:home")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["citizen", "agent"])
def test_citizens_and_agents_cannot_use_the_password_sign_in(client, user_for_role, role):
    """They sign in with FranceConnect or ProConnect; here they get the wrong-password error."""
    user = user_for_role(role)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_returns_to_the_page_asked_for(client, staff):
    response = staff_sign_in(client, staff, {"next": "/gestion/agents/"}, next_url="/gestion/agents/")
    assertRedirects(response, "/gestion/agents/")


def test_signing_in_never_redirects_off_site(client, staff):
    response = staff_sign_in(client, staff, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:after-login")


def test_wrong_password_shows_a_translated_error_and_keeps_the_username(client, citizen):
    response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in content
    assert f'value="{citizen.username}"' in content


def test_signing_out_is_a_post_and_ends_the_session(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assertRedirects(response, reverse("citizen:home"))
    assert client.get(reverse("citizen:dashboard")).status_code == 302


@pytest.mark.parametrize(("role", "status"), [("citizen", 302), ("agent", 302), ("staff", 302), ("superuser", 200)])
def test_django_admin_is_for_superusers_only(client, user_for_role, role, status):
    login_verified(client, user_for_role(role))
    response = client.get("/django-admin/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/django-admin/login/")


def test_unknown_pages_get_the_design_system_404(client, db):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "fr-header" in content and "Page non trouvée" in content


def test_server_errors_get_the_design_system_500(rf):
    from civiquest.www.site_views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "fr-header" in content and "Erreur inattendue" in content


def test_an_exception_in_a_view_renders_the_500_page(client, db, settings, monkeypatch):
    from civiquest.www.citizen import views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", lambda *args, **kwargs: broken(None))
    client.raise_request_exception = False
    response = client.get(reverse("citizen:home"))
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "sign_in_url_name"),
    [("citizen:dashboard", "oidc:franceconnect"), ("agent:home", "oidc:proconnect"), ("staff:home", "accounts:login")],
)
def test_each_audience_is_sent_to_its_own_sign_in(client, db, url_name, sign_in_url_name):
    url = reverse(url_name)
    assertRedirects(client.get(url), f"{reverse(sign_in_url_name)}?next={url}", fetch_redirect_response=False)
