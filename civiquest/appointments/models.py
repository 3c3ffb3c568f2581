"""Mairie meeting points, the appointment slots they publish, and the appointments booked in them.

ANTS (rendezvouspasseport.ants.gouv.fr) discovers the points and their free slots through
the editor endpoints (``editor.py``); the citizen books on our own site (the callback URL).
"""

import secrets
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingPoint(models.Model):
    """A place of a mairie with a fingerprint station where passports and ID cards are requested.

    Its ANTS id is ``str(pk)``.
    """

    service = models.ForeignKey(
        "accounts.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="meeting_points"
    )
    name = models.CharField(_("nom"), max_length=200)
    public_entry_address = models.CharField(_("adresse de l’entrée du public"), max_length=300)
    zip_code = models.CharField(
        _("code postal"),
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("Saisissez un code postal à 5 chiffres."))],
    )
    city_name = models.CharField(_("commune"), max_length=200)
    citycode = models.CharField(
        _("code commune (INSEE)"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("Saisissez un code INSEE à 5 caractères."))],
    )
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    is_active = models.BooleanField(_("publié auprès de l’ANTS"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        db_table = "passport_meetingpoint"
        verbose_name = _("lieu de rendez-vous")
        verbose_name_plural = _("lieux de rendez-vous")
        ordering = ["name", "pk"]
        indexes = [
            # getManagedMeetingPoints and the agent's list: the active points of some services.
            models.Index(fields=["service", "is_active"], name="passport_mp_service_active"),
            models.Index(fields=["is_active"], name="passport_mp_active"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ants_id(self) -> str:
        return str(self.pk)


class TimeSlot(models.Model):
    """A bookable time at a meeting point, published by an agent. ``capacity`` appointments fit in it.

    How many are booked is counted from the appointments (never stored: no counter to keep in sync).
    """

    meeting_point = models.ForeignKey(
        MeetingPoint, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("nombre de guichets"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        db_table = "passport_timeslot"
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_point", "starts_at"], name="passport_slot_point_start_unique")
        ]
        indexes = [models.Index(fields=["meeting_point", "starts_at"], name="passport_slot_point_start")]

    def __str__(self) -> str:
        return f"{self.meeting_point} {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentReason(models.TextChoices):
    CNI = "CNI", _("Carte d’identité")
    PASSPORT = "PASSPORT", _("Passeport")
    CNI_PASSPORT = "CNI-PASSPORT", _("Carte d’identité et passeport")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Réservé")
    CANCELLED = "cancelled", _("Annulé")


class CoordinationStatus(models.TextChoices):
    """Where the appointment stands in the ANTS anti-duplicate coordination API."""

    PENDING = "pending", _("À déclarer")
    REGISTERED = "registered", _("Déclaré à l’ANTS")
    FAILED = "failed", _("Échec de la déclaration")
    DELETED = "deleted", _("Retiré de l’ANTS")


def new_management_token() -> str:
    # The key of the management URL given to ANTS: unguessable, URL-safe.
    return secrets.token_urlsafe(24)


class Appointment(models.Model):
    """A citizen's appointment in a slot, for one or several pre-applications."""

    slot = models.ForeignKey(
        TimeSlot, verbose_name=_("créneau"), on_delete=models.PROTECT, related_name="appointments"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("usager"), on_delete=models.PROTECT, related_name="appointments"
    )
    quest = models.ForeignKey(
        "quests.Quest",
        verbose_name=_("dossier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # The 10-character ANTS pre-application numbers (upper case); also in AppointmentApplication, indexed.
    application_ids = models.JSONField(_("numéros de pré-demande"), default=list)
    reason = models.CharField(_("motif"), max_length=16, choices=AppointmentReason.choices)
    documents_number = models.PositiveSmallIntegerField(
        _("nombre de titres"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    management_token = models.CharField(max_length=64, unique=True, default=new_management_token, editable=False)
    status = models.CharField(
        _("statut"), max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    coordination_status = models.CharField(
        _("statut auprès de l’ANTS"),
        max_length=16,
        choices=CoordinationStatus.choices,
        default=CoordinationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("pris le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    applications: "models.Manager[AppointmentApplication]"

    class Meta:
        db_table = "passport_appointment"
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["created_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            # The agent's week (slots of a point, then their live appointments) and the free-slot count.
            models.Index(fields=["slot", "status"], name="passport_appt_slot_status"),
            # A citizen's appointments.
            models.Index(fields=["citizen", "status", "created_at"], name="passport_appt_citizen"),
            # The coordination sweep: what ANTS has not heard yet.
            models.Index(fields=["coordination_status", "status"], name="passport_appt_coordination"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.slot}"


class AppointmentApplication(models.Model):
    """One pre-application number of an appointment: the index ``searchApplicationIds`` looks up."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="applications")
    application_id = models.CharField(_("numéro de pré-demande"), max_length=10, db_index=True)
    # Booked and still to come: a number has at most one such appointment with us, which the
    # database enforces (the citizen's own appointments included, and under concurrency).
    live = models.BooleanField(default=True)

    class Meta:
        db_table = "passport_appointmentapplication"
        verbose_name = _("pré-demande d’un rendez-vous")
        verbose_name_plural = _("pré-demandes des rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "application_id"], name="passport_appt_application_unique"),
            models.UniqueConstraint(
                fields=["application_id"], condition=models.Q(live=True), name="passport_appt_application_live"
            ),
        ]

    def __str__(self) -> str:
        return self.application_id
