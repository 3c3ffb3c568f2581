"""The taxes JSON API (mounted at ``/api/v1/taxes/``).

``POST /simulate``: signed-in citizens only, by their Django session (``django_auth``: ninja
checks the CSRF token of cookie-authenticated calls), and rate-limited per citizen, because
each new household costs OpenFisca about half a second of CPU. Importing this module does
not load OpenFisca: only the first simulation does.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field, model_validator

from civiquest.accounts.models import Role, User
from civiquest.core.api_errors import BadInputOut, bad_input
from civiquest.integrations.taxes import services, simulator

router = Router(tags=["taxes"])


class DeclarantIn(Schema):
    salaries: int = Field(default=0, ge=0, le=simulator.MAX_AMOUNT, description="Taxable salaries of the year, €.")
    pensions: int = Field(default=0, ge=0, le=simulator.MAX_AMOUNT, description="Taxable pensions of the year, €.")
    birth_year: int | None = Field(default=None, ge=1900, le=2030, description="Matters past 65.")


class DependantIn(Schema):
    birth_date: dt.date | None = Field(default=None, description="Birth date (or give age).")
    age: int | None = Field(default=None, ge=0, le=25, description="Age on 1 January of the income year.")
    alternating_custody: bool = Field(default=False, description="Shared residence (garde alternée).")

    @model_validator(mode="after")
    def birth_date_or_age(self) -> DependantIn:
        if (self.birth_date is None) == (self.age is None):
            raise ValueError(_("Pour chaque enfant, indiquez soit sa date de naissance, soit son âge."))
        return self


class HouseholdIn(Schema):
    income_year: int = Field(
        default_factory=lambda: services.default_income_year(),
        ge=simulator.FIRST_INCOME_YEAR,
        le=simulator.LAST_INCOME_YEAR,
        description="The year of the income (the return is filed the next spring).",
    )
    marital_status: simulator.MaritalStatus
    declarants: list[DeclarantIn] = Field(min_length=1, max_length=2)
    dependants: list[DependantIn] = Field(default_factory=list, max_length=simulator.MAX_DEPENDANTS)
    single_parent: bool = Field(default=False, description="Case T: living alone with the children.")

    def to_household(self) -> simulator.Household:
        return simulator.Household(
            income_year=self.income_year,
            marital_status=self.marital_status,
            declarants=tuple(
                simulator.Declarant(salaries=d.salaries, pensions=d.pensions, birth_year=d.birth_year)
                for d in self.declarants
            ),
            dependants=tuple(
                simulator.Dependant(
                    birth_date=d.birth_date or simulator.age_to_birth_date(d.age or 0, self.income_year),
                    alternating_custody=d.alternating_custody,
                )
                for d in self.dependants
            ),
            single_parent=self.single_parent,
        )


class EstimateOut(Schema):
    income_year: int
    tax: int = Field(description="Estimated tax to pay, euros (0: nothing to pay).")
    parts: float = Field(description="Number of parts (quotient familial).")
    reference_tax_income: int = Field(description="Revenu fiscal de référence, €.")
    net_taxable_income: int
    tax_before_decote: int
    decote: int
    quotient_familial_advantage: int
    quotient_familial_capped: bool
    marginal_rate: float
    notice: str


class ErrorOut(Schema):
    detail: str | list[str]


def _citizen(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role != Role.CITIZEN:
        raise HttpError(403, _("Le simulateur est réservé aux usagers connectés."))
    return user


@router.post(
    "/simulate",
    auth=django_auth,
    response={200: EstimateOut, 400: BadInputOut, 403: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="Estimate a household's income tax (OpenFisca-France)",
)
def simulate(request: HttpRequest, payload: HouseholdIn) -> Status[EstimateOut | ErrorOut | BadInputOut]:
    """An estimate, not the tax administration's computation: salaries and pensions only."""
    citizen = _citizen(request)
    try:
        estimate = services.estimate_for(citizen=citizen, household=payload.to_household())
    except simulator.HouseholdError as error:
        return Status(400, bad_input([{"field": "", "message": message} for message in error.messages]))
    except simulator.SimulatorUnavailable as error:
        raise HttpError(503, error.user_message) from error
    return Status(
        200,
        EstimateOut(
            **{key: value for key, value in estimate.as_dict().items() if key != "details"},
            notice=str(services.ESTIMATE_NOTICE),
        ),
    )
