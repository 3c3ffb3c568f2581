"""Passport and identity-card expiry: computed when missing, notified 6 months then 1 month before, once."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.documents.expiry import computed_expiry, expiring_titles, expiry_notify
from civiquest.documents.models import DocumentType
from civiquest.documents.tasks import titles_expiry_notify
from civiquest.notifications.models import Notification
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def test_computed_expiry_for_adults_and_minors():
    adult = computed_expiry(document_type=DocumentType.PASSPORT, issued_on=dt.date(2020, 3, 1), birthdate=None)
    assert adult == dt.date(2030, 2, 28)
    minor = computed_expiry(
        document_type=DocumentType.PASSPORT, issued_on=dt.date(2020, 3, 1), birthdate=dt.date(2005, 1, 1)
    )
    assert minor == dt.date(2025, 2, 28)  # 5 years, even though they turned 18 meanwhile
    card = computed_expiry(document_type=DocumentType.IDENTITY_CARD, issued_on=dt.date(2015, 6, 1), birthdate=None)
    assert card == dt.date(2030, 5, 31)
    new_card = computed_expiry(document_type=DocumentType.IDENTITY_CARD, issued_on=dt.date(2022, 6, 1), birthdate=None)
    assert new_card == dt.date(2032, 5, 31)
    assert computed_expiry(document_type=DocumentType.ID_PHOTO, issued_on=dt.date(2022, 6, 1), birthdate=None) is None


def test_six_months_then_one_month_before_and_never_twice(django_assert_max_num_queries):
    citizen = CitizenFactory()
    passport = DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, expires_on=dt.date(2027, 4, 30))
    DocumentFactory(owner=CitizenFactory(), type=DocumentType.PASSPORT, expires_on=dt.date(2029, 1, 1))
    assert expiry_notify(today=TODAY) == 1
    expiry_notify(today=TODAY)
    expiry_notify(today=TODAY + dt.timedelta(days=1))
    [notice] = Notification.objects.all()
    assert notice.recipient == citizen
    assert notice.title == "Votre passeport expire le 30 avril 2027"
    assert notice.url == "/renouveler/passport/"  # the procedure that issues it, resolved when followed
    assert notice.key == f"title-expiry:{passport.pk}:2027-04-30:6m"
    expiry_notify(today=dt.date(2027, 4, 1))
    expiry_notify(today=dt.date(2027, 4, 2))
    assert Notification.objects.count() == 2
    assert Notification.objects.filter(key__endswith=":1m").count() == 1
    with django_assert_max_num_queries(4):
        expiry_notify(today=dt.date(2027, 4, 3))


def test_computed_expiry_notifies_and_a_renewal_silences_the_old_title():
    # A card issued to a minor: 10 years (an adult's of 2017 would run 15).
    citizen = CitizenFactory(birthdate=dt.date(2005, 1, 1))
    DocumentFactory(owner=citizen, type=DocumentType.IDENTITY_CARD, issued_on=dt.date(2017, 2, 1))
    titles_expiry_notify.apply(kwargs={})  # today is not TODAY: just runs
    expiry_notify(today=TODAY)
    [notice] = Notification.objects.filter(recipient=citizen)
    assert notice.title == "Votre carte d’identité expire le 31 janvier 2027"
    assert notice.url == "/renouveler/identity_card/"
    renewed = CitizenFactory()
    DocumentFactory(owner=renewed, type=DocumentType.PASSPORT, expires_on=dt.date(2027, 1, 10))
    DocumentFactory(owner=renewed, type=DocumentType.PASSPORT, expires_on=dt.date(2036, 11, 1))
    expiry_notify(today=TODAY)
    assert not Notification.objects.filter(recipient=renewed).exists()


def test_expiring_titles_for_the_dashboard(django_assert_num_queries):
    citizen = CitizenFactory()
    DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, expires_on=dt.date(2027, 2, 1))
    DocumentFactory(owner=citizen, type=DocumentType.IDENTITY_CARD, expires_on=dt.date(2035, 1, 1))
    with django_assert_num_queries(1):
        titles = expiring_titles(owner=citizen, today=TODAY)
    assert [(title.type_label, title.expires_on) for title in titles] == [("Passeport", dt.date(2027, 2, 1))]
    assert not titles[0].is_expired(TODAY)


def test_an_expiring_title_leads_to_the_procedure_that_issues_it_whatever_its_slug(client):
    from civiquest.catalogue.models import ProcedureRevision
    from tests.catalogue.factories import GUIDED_STEPS, published

    assert client.get("/renouveler/passport/").url == "/demarches/"  # none published: the catalogue
    published(GUIDED_STEPS, slug="titre-de-voyage", title="Passeport", needs={"issued_title": "passport"})
    assert client.get("/renouveler/passport/").url == "/demarches/titre-de-voyage/"
    assert client.get("/renouveler/identity_card/").url == "/demarches/"
    assert client.get("/renouveler/permis/").status_code == 404
    ProcedureRevision.objects.update(issued_title="")
    assert client.get("/renouveler/passport/").url == "/demarches/"
