"""Forms of the agent's appointment pages: meeting points, bulk slot publication, cancellation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.appointments.models import MeetingPoint
from civiquest.appointments.slots import MAX_PLAN_DAYS, SlotPlan

WEEKDAYS = [
    (0, _("Lundi")),
    (1, _("Mardi")),
    (2, _("Mercredi")),
    (3, _("Jeudi")),
    (4, _("Vendredi")),
    (5, _("Samedi")),
    (6, _("Dimanche")),
]
DURATIONS = [(minutes, _("%(minutes)s minutes") % {"minutes": minutes}) for minutes in (10, 15, 20, 30, 45, 60)]


class DsfrMixin:
    """DSFR classes on inputs, and errors tied to their field (``aria-describedby``) once validated."""

    fields: dict[str, forms.Field]
    errors: Any

    def _dsfr_setup(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "fr-select" if isinstance(widget, forms.Select) else "fr-input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                described = [f"id_{name}-error"]
                if self.fields[name].help_text:
                    described.insert(0, f"id_{name}-hint")
                widget.attrs["aria-describedby"] = " ".join(described)
                widget.attrs["aria-invalid"] = "true"
                if "class" in widget.attrs:
                    widget.attrs["class"] += f" {widget.attrs['class']}--error"


class MeetingPointForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = MeetingPoint
        fields = [
            "name",
            "public_entry_address",
            "zip_code",
            "city_name",
            "citycode",
            "latitude",
            "longitude",
            "is_active",
        ]
        labels = {"is_active": _("Proposer ce lieu sur le site national de l’ANTS")}
        help_texts = {
            "name": _("Tel qu’il apparaît aux usagers, par exemple « Hôtel de ville de Nouméa »."),
            "public_entry_address": _("Numéro et voie de l’entrée du public."),
            "citycode": _("5 caractères, par exemple 98818 pour Nouméa."),
            "latitude": _("En degrés décimaux, entre -90 et 90, par exemple -22.2758."),
            "longitude": _("En degrés décimaux, entre -180 et 180, par exemple 166.458."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
            self.fields[name].localize = True
        self.fields["zip_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        self.fields["citycode"].required = True
        self._dsfr_setup()


class SlotPlanForm(DsfrMixin, forms.Form):
    """A bulk publication: a date range, weekdays, one or two opening ranges, duration and places."""

    start_date = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(
        label=_("Au (inclus)"),
        help_text=_("Au plus %(days)s jours à la fois.") % {"days": MAX_PLAN_DAYS},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours d’ouverture"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    morning_opens = forms.TimeField(
        label=_("Ouverture"), initial=dt.time(8, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    morning_closes = forms.TimeField(
        label=_("Fermeture"), initial=dt.time(11, 30), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    afternoon_opens = forms.TimeField(
        label=_("Réouverture (facultatif)"),
        required=False,
        initial=dt.time(13, 30),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    afternoon_closes = forms.TimeField(
        label=_("Fermeture de l’après-midi (facultatif)"),
        required=False,
        initial=dt.time(16, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Durée d’un rendez-vous"), choices=DURATIONS, coerce=int, initial=15
    )
    capacity = forms.IntegerField(
        label=_("Places par créneau"),
        help_text=_("Nombre de titres reçus en même temps (un par station de recueil)."),
        min_value=1,
        max_value=20,
        initial=1,
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["start_date"].initial = today + dt.timedelta(days=1)
        self.fields["end_date"].initial = today + dt.timedelta(days=14)
        self._dsfr_setup()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and start < self.today:
            self.add_error("start_date", _("Choisissez une date à partir d’aujourd’hui."))
        if start and end:
            if end < start:
                self.add_error("end_date", _("La date de fin doit être postérieure ou égale à la date de début."))
            elif (end - start).days >= MAX_PLAN_DAYS:
                self.add_error("end_date", _("Publiez au plus %(days)s jours à la fois.") % {"days": MAX_PLAN_DAYS})
        opens, closes = data.get("morning_opens"), data.get("morning_closes")
        if opens and closes and closes <= opens:
            self.add_error("morning_closes", _("L’heure de fermeture doit suivre l’heure d’ouverture."))
        later_opens, later_closes = data.get("afternoon_opens"), data.get("afternoon_closes")
        if bool(later_opens) != bool(later_closes):
            missing = "afternoon_closes" if later_opens else "afternoon_opens"
            self.add_error(missing, _("Indiquez les deux heures de l’après-midi, ou aucune."))
        elif later_opens and later_closes:
            if later_closes <= later_opens:
                self.add_error("afternoon_closes", _("L’heure de fermeture doit suivre l’heure d’ouverture."))
            elif closes and later_opens < closes:
                self.add_error("afternoon_opens", _("L’après-midi doit commencer après la fermeture du matin."))
        return data

    def plan(self) -> SlotPlan:
        data = self.cleaned_data
        hours = [(data["morning_opens"], data["morning_closes"])]
        if data.get("afternoon_opens") and data.get("afternoon_closes"):
            hours.append((data["afternoon_opens"], data["afternoon_closes"]))
        return SlotPlan(
            start_date=data["start_date"],
            end_date=data["end_date"],
            weekdays=frozenset(data["weekdays"]),
            opening_hours=tuple(hours),
            duration_minutes=data["duration_minutes"],
            capacity=data["capacity"],
        )


class AppointmentCancelForm(DsfrMixin, forms.Form):
    motivation = forms.CharField(
        label=_("Motif de l’annulation"),
        help_text=_("Il est indiqué à l’usager et enregistré dans le journal."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dsfr_setup()
