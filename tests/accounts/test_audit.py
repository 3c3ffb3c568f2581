"""The audit log: append-only, written inside the caller's transaction, searchable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from civiquest.accounts.audit import audit_record, audit_search
from civiquest.accounts.models import AuditEvent, AuditIsAppendOnly, Role, Service, ServiceKind
from tests.accounts.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_record_keeps_actor_role_target_and_details():
    staff = StaffFactory(email="gestion@civiquest.fr")
    service = Service.objects.create(name="Mairie de Brest", kind=ServiceKind.MAIRIE)
    event = audit_record(
        actor=staff,
        action="service.create",
        target=service,
        motivation="Ouverture",
        details={"on": dt.date(2026, 1, 2)},
    )
    event.refresh_from_db()
    assert (event.actor_id, event.actor_label, event.actor_role) == (staff.pk, "gestion@civiquest.fr", Role.STAFF)
    assert (event.target_type, event.target_id, event.target_label) == (
        "accounts.service",
        str(service.pk),
        "Mairie de Brest",
    )
    assert event.details == {"on": "2026-01-02"}
    assert event.motivation == "Ouverture"


def test_events_cannot_be_changed_or_deleted():
    event = audit_record(actor=None, action="system.test")
    event.action = "autre"
    with pytest.raises(AuditIsAppendOnly):
        event.save()
    with pytest.raises(AuditIsAppendOnly):
        event.delete()
    with pytest.raises(AuditIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="autre")
    with pytest.raises(AuditIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "system.test"


def test_deleting_an_actor_keeps_their_events_and_name():
    staff = StaffFactory(email="parti@civiquest.fr")
    audit_record(actor=staff, action="procedure.close")
    staff.delete()
    event = AuditEvent.objects.get()
    assert event.actor_id is None and event.actor_label == "parti@civiquest.fr"


def test_record_rolls_back_with_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="procedure.publish")
        raise RuntimeError
    assert not AuditEvent.objects.exists()


def test_search_filters_by_actor_action_target_text_and_dates():
    first = StaffFactory(email="une@civiquest.fr")
    second = StaffFactory(email="deux@civiquest.fr")
    audit_record(actor=first, action="procedure.publish", target=("procedures.procedure", "1", "Passeport"))
    audit_record(actor=second, action="service.create", target=("accounts.service", "2", "Mairie"), motivation="x")
    assert [e.action for e in audit_search(actor="une@civiquest.fr")] == ["procedure.publish"]
    assert [e.action for e in audit_search(action="service")] == ["service.create"]
    assert [e.action for e in audit_search(target="procedures.procedure")] == ["procedure.publish"]
    assert [e.action for e in audit_search(text="passe")] == ["procedure.publish"]
    today = timezone.localdate()
    assert audit_search(since=today, until=today).count() == 2
    assert audit_search(until=today - dt.timedelta(days=1)).count() == 0
