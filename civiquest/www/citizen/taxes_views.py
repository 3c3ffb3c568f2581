"""The citizen's tax pages: the income-tax simulator, and the import of their DGFiP situation.

Only these pages load OpenFisca (on the first estimate of the process). The DGFiP import
fills the form from the API Impôt particulier; when the service is unavailable the citizen
is told so and what they typed stays in the form.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.oidc.views import data_access_start
from civiquest.core.forms import BaseForm
from civiquest.core.http import IntegrationError
from civiquest.core.ratelimit import RateLimited
from civiquest.integrations.taxes import impot_particulier, services, simulator

logger = logging.getLogger(__name__)

AGES_RE = re.compile(r"^\s*(\d{1,2}\s*([,;]\s*\d{1,2}\s*)*)?$")
IMPORT_SESSION_KEY = "taxes_dgfip_import"
# Back from FranceConnect with the citizen's agreement: import at once (the token lives 60 s).
IMPORT_PARAMETER = "importer"


def _year_choices() -> list[tuple[int, str]]:
    return [
        (year, gettext_lazy("Revenus %(year)s (déclarés en %(next)s)") % {"year": year, "next": year + 1})
        for year in range(simulator.LAST_INCOME_YEAR, simulator.FIRST_INCOME_YEAR - 1, -1)
    ]


def _amount(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=simulator.MAX_AMOUNT,
        help_text=gettext_lazy("En euros, montant annuel imposable. Exemple : 30000"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _birth_year(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1900,
        max_value=2030,
        help_text=gettext_lazy("Format attendu : 4 chiffres, par exemple 1975"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SimulatorForm(BaseForm):
    income_year = forms.TypedChoiceField(label=gettext_lazy("Année des revenus"), coerce=int, choices=_year_choices)
    marital_status = forms.ChoiceField(
        label=gettext_lazy("Situation de famille"),
        choices=[
            (simulator.MaritalStatus.SINGLE.value, gettext_lazy("Célibataire")),
            (simulator.MaritalStatus.MARRIED.value, gettext_lazy("Marié(e) ou pacsé(e)")),
            (simulator.MaritalStatus.DIVORCED.value, gettext_lazy("Divorcé(e) ou séparé(e)")),
            (simulator.MaritalStatus.WIDOWED.value, gettext_lazy("Veuf ou veuve")),
        ],
        widget=forms.RadioSelect,
    )
    salaries_1 = _amount(gettext_lazy("Vos salaires imposables"))
    pensions_1 = _amount(gettext_lazy("Vos pensions et retraites imposables"))
    birth_year_1 = _birth_year(gettext_lazy("Votre année de naissance"))
    salaries_2 = _amount(gettext_lazy("Salaires imposables de votre conjoint(e)"))
    pensions_2 = _amount(gettext_lazy("Pensions et retraites imposables de votre conjoint(e)"))
    birth_year_2 = _birth_year(gettext_lazy("Année de naissance de votre conjoint(e)"))
    children_ages = forms.CharField(
        label=gettext_lazy("Âges des enfants à charge"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Âge au 1er janvier de l’année des revenus, séparés par des virgules. Exemple : 4, 9"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    alternating_custody = forms.IntegerField(
        label=gettext_lazy("Dont enfants en résidence alternée"),
        required=False,
        min_value=0,
        max_value=simulator.MAX_DEPENDANTS,
        help_text=gettext_lazy("Nombre d’enfants dont la charge est partagée avec l’autre parent"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    single_parent = forms.BooleanField(
        label=gettext_lazy("Je vis seul(e) avec mes enfants (parent isolé, case T)"),
        required=False,
    )

    def clean_children_ages(self) -> list[int]:
        raw = self.cleaned_data.get("children_ages") or ""
        if not AGES_RE.match(raw):
            raise forms.ValidationError(_("Écrivez des âges en chiffres, séparés par des virgules. Exemple : 4, 9"))
        ages = [int(part) for part in re.split(r"[,;]", raw) if part.strip()]
        if any(age > 25 for age in ages):
            raise forms.ValidationError(_("Un enfant à charge a au plus 25 ans."))
        if len(ages) > simulator.MAX_DEPENDANTS:
            raise forms.ValidationError(_("Indiquez au plus 20 personnes à charge."))
        return ages

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ages = data.get("children_ages") or []
        if (data.get("alternating_custody") or 0) > len(ages):
            self.add_error(
                "alternating_custody",
                _("Le nombre d’enfants en résidence alternée dépasse le nombre d’enfants indiqués."),
            )
        return data

    def household(self) -> simulator.Household:
        data = self.cleaned_data
        status = simulator.MaritalStatus(data["marital_status"])
        declarants = [
            simulator.Declarant(
                salaries=data.get("salaries_1") or 0,
                pensions=data.get("pensions_1") or 0,
                birth_year=data.get("birth_year_1"),
            )
        ]
        if status is simulator.MaritalStatus.MARRIED:
            declarants.append(
                simulator.Declarant(
                    salaries=data.get("salaries_2") or 0,
                    pensions=data.get("pensions_2") or 0,
                    birth_year=data.get("birth_year_2"),
                )
            )
        ages = data.get("children_ages") or []
        shared = data.get("alternating_custody") or 0
        year = data["income_year"]
        return simulator.Household(
            income_year=year,
            marital_status=status,
            declarants=tuple(declarants),
            dependants=tuple(
                simulator.Dependant(
                    birth_date=simulator.age_to_birth_date(age, year), alternating_custody=index < shared
                )
                for index, age in enumerate(ages)
            ),
            single_parent=bool(data.get("single_parent")),
        )


def _initial_from_import(situation: impot_particulier.TaxSituation) -> dict[str, Any]:
    """What the DGFiP answer tells the form: the year, the family situation (never the salaries)."""
    return {
        "income_year": situation.income_year,
        "marital_status": situation.marital_status,
        "single_parent": situation.marital_status != simulator.MaritalStatus.MARRIED and situation.dependants > 0,
    }


@role_required(Role.CITIZEN)
@require_http_methods(["GET", "POST"])
def tax_simulator(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "title": _("Estimer mon impôt sur le revenu"),
        "official_url": services.OFFICIAL_SIMULATOR_URL,
        "notice": services.ESTIMATE_NOTICE,
        "estimate": None,
        "problem": "",
        "imported": None,
    }
    default_year = services.default_income_year()
    stored = request.session.get(IMPORT_SESSION_KEY)
    if stored:
        context["imported"] = impot_particulier.TaxSituation(**stored)
    initial: dict[str, Any] = {"income_year": default_year}
    if context["imported"]:
        initial.update(_initial_from_import(context["imported"]))
    token = impot_particulier.citizen_token(session=request.session)
    if request.method == "POST" and request.POST.get("action") == "import":
        if request.POST.get("consent") != "on":
            context["problem"] = _("Cochez la case d’accord pour que nous demandions votre situation à la DGFiP.")
            form = SimulatorForm(initial=initial)
        elif token is None:
            # FranceConnect asks the citizen to agree, then sends them back here with a token.
            back = reverse("citizen:tax-simulator") + "?" + urlencode({IMPORT_PARAMETER: "1"})
            return data_access_start(request, purpose=impot_particulier.DATA_PURPOSE, next_url=back)
        else:
            # On failure the form keeps what an earlier import (or nothing) gave: nothing is lost.
            form = _import(request, context, default_year, token) or SimulatorForm(initial=initial)
    elif request.method == "GET" and request.GET.get(IMPORT_PARAMETER) == "1" and token is not None:
        form = _import(request, context, default_year, token) or SimulatorForm(initial=initial)
    elif request.method == "POST":
        form = SimulatorForm(request.POST)
        if form.is_valid():
            try:
                context["estimate"] = services.estimate_for(citizen=request.user, household=form.household())
            except simulator.HouseholdError as error:
                for message in error.messages:
                    form.add_error(None, message)
            except RateLimited as error:
                context["problem"] = error.message
            except simulator.SimulatorUnavailable as error:
                context["problem"] = error.user_message
    else:
        form = SimulatorForm(initial=initial)
    context["form"] = form
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizen/taxes/simulator.html", context, status=status)


def _import(
    request: AuthenticatedHttpRequest, context: dict[str, Any], default_year: int, token: str
) -> SimulatorForm | None:
    """Call the DGFiP for the citizen's situation; on failure say so and keep what was typed (None)."""
    try:
        situation = impot_particulier.tax_situation(token=token, income_year=default_year)
    except IntegrationError as error:
        logger.warning("dgfip import failed", extra={"detail": error.detail})
        context["problem"] = error.user_message
        return None
    request.session[IMPORT_SESSION_KEY] = situation.__dict__
    context["imported"] = situation
    initial = {"income_year": default_year, **_initial_from_import(situation)}
    return SimulatorForm(initial=initial)
