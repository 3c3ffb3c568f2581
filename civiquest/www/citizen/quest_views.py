"""The citizen's quest pages: starting a quest, quests, steps, review and submission.

The public catalogue and procedure pages are ``catalogue_views``'s.

Views parse the request, call a selector or a service of ``civiquest.procedures`` and
render. A quest of another citizen is a 404 everywhere (``quest_detail`` returns None).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.mandates import helper_quest_submit, helper_step_save
from civiquest.actions.quests import quest_start, quest_step_save, quest_submit
from civiquest.appointments.services import books_through_ants
from civiquest.catalogue.cache import catalogue_version
from civiquest.catalogue.conditions import Visibility, completeness, visibility
from civiquest.catalogue.display import answer_shown
from civiquest.catalogue.inputs import InputSpec
from civiquest.catalogue.models import FieldKind, Step, StepKind
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.core.errors import ProcedureError
from civiquest.documents.models import Document
from civiquest.instruction.corrections import comments_for_citizen
from civiquest.quests import workflow
from civiquest.quests.corrections import is_open
from civiquest.quests.edits import edit_mark_parse
from civiquest.quests.errors import QuestIncomplete
from civiquest.quests.journey import Journey, StepRow, current_step_id, journey_of, with_journeys
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.selectors import (
    QuestGroup,
    published_procedure,
    quest_answers,
    quest_documents_by_id,
    quest_done_step_ids,
    quests_of,
)
from civiquest.quests.services import is_guided
from civiquest.www.citizen.appointment_pages import upcoming_by_quest, upcoming_of
from civiquest.www.citizen.appointment_views import quest_step_extra, quest_timbre
from civiquest.www.citizen.mandate_access import quest_or_mandated, request_mandate, wallet_for_quest
from civiquest.www.citizen.quest_endings import quest_ending
from civiquest.www.citizen.quest_forms import READONLY_KINDS, StepForm, raw_answers
from civiquest.www.citizen.quest_prefill import REUSE_FIELD, step_prefill

# --- Starting a quest -----------------------------------------------------------------------------


@require_POST
@role_required(Role.CITIZEN)
def quest_start_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    found = published_procedure(slug=slug)
    if found is None:
        raise Http404
    try:
        quest = quest_start(citizen=request.user, procedure=found)
    except ProcedureError as error:
        messages.error(request, error.message)
        return redirect("citizen:procedure", slug=slug)
    if quest.current_step is not None:
        return redirect("citizen:quest-step", quest_id=quest.pk, step_slug=quest.current_step.slug)
    return redirect("citizen:quest", quest_id=quest.pk)


# --- Quests ---------------------------------------------------------------------------------------


@dataclass
class QuestView:
    """What the quest pages show, computed from a quest loaded by ``quest_detail`` without more queries."""

    quest: Quest
    seen: Visibility
    done: set[int]
    journey: Journey
    editable: bool
    guided: bool

    @property
    def rows(self) -> list[StepRow]:
        return self.journey.rows

    @property
    def current_row(self) -> StepRow | None:
        return self.journey.current_row

    @property
    def next_row(self) -> StepRow | None:
        return self.journey.next_row

    @property
    def is_complete(self) -> bool:
        return completeness(self.seen, self.done).is_complete

    def inputs_open(self, step: Step) -> list[InputSpec]:
        """The step's inputs the citizen may change (during a correction: those the service asked)."""
        return [spec for spec in self.seen.inputs_of(step) if is_open(self.quest, spec.name)]

    def has_form(self, step: Step) -> bool:
        if not self.editable or step.kind == StepKind.AGENT_REVIEW:
            return False
        return self.quest.open_inputs is None or bool(self.inputs_open(step))

    def row_of(self, step: Step) -> StepRow | None:
        return next((row for row in self.rows if row.step.pk == step.pk), None)

    def next_citizen_step(self, after: Step) -> Step | None:
        later = [row.step for row in self.rows if row.step.position > after.position and not row.is_agents]
        return later[0] if later else None


def _quest_view(quest: Quest, *, current: Step | None = None) -> QuestView:
    answers = quest_answers(quest)
    seen = visibility(quest.revision, answers)
    done = quest_done_step_ids(quest)
    # On a step's page that step is where the citizen is; elsewhere, where the quest is.
    current_id = current.pk if current is not None else current_step_id(quest, seen)
    return QuestView(
        quest=quest,
        seen=seen,
        done=done,
        journey=journey_of(seen, done, current_id),
        editable=quest.state in workflow.EDITABLE_STATES,
        guided=is_guided(quest.revision),
    )


def _wallet_for(request: AuthenticatedHttpRequest, specs: list[InputSpec]) -> list[Document]:
    """The citizen's wallet, read only when the step asks for documents (one query)."""
    if not any(spec.kind == FieldKind.DOCUMENT for spec in specs):
        return []
    return wallet_for_quest(request)


def _own_quest(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    """The citizen's quest, or one a helper opens under an active mandate covering it (404 otherwise)."""
    return quest_or_mandated(request, quest_id)


def _quest_groups(citizen: Any) -> list[QuestGroup]:
    """ "Mes démarches" but the upcoming appointments: cached until the citizen's data changes."""
    groups = quests_of(citizen=citizen)
    with_journeys([item for group in groups for item in group.quests])
    return groups


@role_required(Role.CITIZEN)
def quests(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = cached_citizen_read(
        "quests", request.user.pk, lambda: _quest_groups(request.user), variant=str(catalogue_version())
    )
    appointments = upcoming_by_quest(upcoming_of(request.user))
    for group in groups:
        for item in group.quests:
            item.upcoming_appointment = appointments.get(item.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "citizen/quests/quests.html",
        {"title": _("Mes démarches"), "groups": groups, "empty": not any(group.quests for group in groups)},
    )


@role_required(Role.CITIZEN)
def quest(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _own_quest(request, quest_id)
    view = _quest_view(found)
    return render(
        request,
        "citizen/quests/quest.html",
        {
            "title": found.procedure.title,
            "quest": found,
            "view": view,
            "ending": quest_ending(found, view.rows, view.seen.answers),
            "transitions": list(found.transitions.all()),
            "upcoming_appointment": upcoming_by_quest(upcoming_of(found.citizen_id)).get(found.pk),
            "mandate": request_mandate(request),
            "catalogue_version": catalogue_version(),  # in the keys of the page's cached parts
        },
    )


# --- Steps ------------------------------------------------------------------------------------------


def _render_step(
    request: AuthenticatedHttpRequest,
    view: QuestView,
    step: Step,
    form: StepForm | None,
    *,
    status: int = 200,
    error_summary: str = "",
) -> HttpResponse:
    specs = view.seen.inputs_of(step)
    # Beside the form, during a correction: the answers the service did not ask to change.
    shown = specs if form is None else [spec for spec in specs if not is_open(view.quest, spec.name)]
    # A page answered with errors says so first in its title (read first by screen readers).
    title = _("Erreur : %(title)s") % {"title": step.title} if error_summary else step.title
    return render(
        request,
        "citizen/quests/step.html",
        {
            "title": title,
            "quest": view.quest,
            "view": view,
            "step": step,
            "row": view.row_of(step),
            "form": form,
            "specs": specs,
            "answers": _displayed_answers(shown, view.seen.answers, _quest_documents(view.quest, shown)),
            "asks_documents": any(spec.kind == FieldKind.DOCUMENT for spec in specs),
            "error_summary": error_summary,
            "next_step": view.next_citizen_step(step),
            "edit_page": secrets.token_hex(16),
            "catalogue_version": catalogue_version(),  # in the keys of the page's cached parts
            # The ANTS appointment panel (appointment step) or the computed timbre fiscal.
            **quest_step_extra(view.quest, step.kind, step.slug, view.seen.answers, day=request.GET.get("jour")),
        },
        status=status,
    )


def _find_step(view: QuestView, step_slug: str) -> Step:
    step = next((step for step in view.seen.steps if step.slug == step_slug), None)
    if step is None:
        raise Http404
    return step


@role_required(Role.CITIZEN)
def quest_step(request: AuthenticatedHttpRequest, quest_id: int, step_slug: str) -> HttpResponse:
    found = _own_quest(request, quest_id)
    view = _quest_view(found)
    step = _find_step(view, step_slug)
    view = _quest_view(found, current=step)
    has_form = view.has_form(step)
    if request.method != "POST":
        specs = view.inputs_open(step)
        form = None
        if has_form:
            prefill = step_prefill(request, found, specs, view.seen.answers)
            form = StepForm(
                specs=specs,
                answers=view.seen.answers,
                documents=_wallet_for(request, specs),
                locked=prefill.locked,
                offers=prefill.offers,
                requests=_requests(found),
            )
        return _render_step(request, view, step, form)
    if not has_form:
        messages.error(request, _("Ce dossier ne peut plus être modifié : il est en cours de traitement ou terminé."))
        return redirect("citizen:quest", quest_id=found.pk)
    return _save_step(request, found, view, step)


def _is_htmx(request: HttpRequest) -> bool:
    """A request htmx made (django-htmx's middleware reads the same header)."""
    return request.headers.get("HX-Request") == "true"


def _requests(quest: Quest) -> dict[str, str]:
    """What the service asked to correct, by input (one query, only while it waits for corrections)."""
    return comments_for_citizen(quest=quest) if quest.state == QuestState.CHANGES_REQUESTED else {}


def _save_step(request: AuthenticatedHttpRequest, found: Quest, view: QuestView, step: Step) -> HttpResponse:
    specs = view.inputs_open(step)
    completing = request.POST.get("action") == "continue" and not _is_htmx(request)
    mandate = request_mandate(request)
    data = raw_answers(specs, request.POST)
    # "Réutiliser cette réponse": the offer accepted is saved with the draft (never without this button).
    reused = request.POST.get(REUSE_FIELD, "") if not _is_htmx(request) else ""
    if reused:
        offer = step_prefill(request, found, specs, view.seen.answers).offers.get(reused)
        if offer is None:
            reused = ""
        else:
            data[reused] = offer.value
            completing = False
    edit = edit_mark_parse(request.POST.get(EDIT_PAGE_FIELD, ""), request.POST.get(EDIT_SEQ_FIELD, ""))
    try:
        if mandate is None:
            saved = quest_step_save(quest=found, step=step, data=data, complete=completing, edit=edit)
        else:
            saved = helper_step_save(
                helper=request.user, mandate=mandate, quest=found, step=step, data=data, complete=completing, edit=edit
            )
    except ProcedureError as error:
        if _is_htmx(request):
            return _autosave_answer(request, {"problem": error.message}, saved=False)
        messages.error(request, error.message)
        return redirect("citizen:quest", quest_id=found.pk)
    if saved.problem:
        messages.error(request, saved.problem)
        return redirect("citizen:quest", quest_id=found.pk)
    if saved.stale:
        # A later save of this page landed first and holds these edits too: nothing was lost.
        if _is_htmx(request):
            return _autosave_answer(request, {"saved_at": timezone.localtime()}, saved=True)
        return redirect("citizen:quest-step", quest_id=found.pk, step_slug=step.slug)
    errors = dict(saved.errors)
    if _is_htmx(request):
        return _htmx_saved(request, found, step, specs, errors)
    refreshed = _own_quest(request, found.pk)
    view = _quest_view(refreshed, current=step)
    if errors:
        specs = view.inputs_open(step)
        prefill = step_prefill(request, refreshed, specs, view.seen.answers)
        form = StepForm(
            specs=specs,
            data=request.POST,
            documents=_wallet_for(request, specs),
            locked=prefill.locked,
            offers=prefill.offers,
            requests=_requests(refreshed),
        )
        form.set_errors(errors)
        summary = _("Votre brouillon est enregistré, sauf les réponses à corriger ci-dessous.")
        return _render_step(request, view, step, form, status=400, error_summary=summary)
    if reused:
        messages.success(request, _("La réponse est reprise et enregistrée en brouillon : vérifiez-la."))
        return redirect(reverse("citizen:quest-step", args=[found.pk, step.slug]) + f"#id_{reused}")
    if request.POST.get("action") != "continue":
        messages.success(request, _("Votre brouillon est enregistré."))
        return redirect("citizen:quest-step", quest_id=found.pk, step_slug=step.slug)
    if refreshed.state == QuestState.COMPLETED:
        messages.success(request, _("Bravo, vous avez terminé toutes les étapes de cette démarche."))
        return redirect("citizen:quest", quest_id=found.pk)
    following = view.next_citizen_step(step)
    if following is not None:
        return redirect("citizen:quest-step", quest_id=found.pk, step_slug=following.slug)
    if view.guided:
        return redirect("citizen:quest", quest_id=found.pk)
    return redirect("citizen:quest-review", quest_id=found.pk)


# The page a save comes from and its count of edits (autosave.js fills the count in): saves of one
# page are applied in the order they were made (``quests.edits``).
EDIT_PAGE_FIELD = "edit_page"
EDIT_SEQ_FIELD = "edit_seq"


# The autosave script shows "saved" only for an answer carrying this header: anything else (a
# network error, a 5xx, the sign-in page a lapsed session is redirected to) is a failure.
AUTOSAVE_HEADER = "X-Autosave"


def _autosave_answer(request: HttpRequest, context: dict[str, Any], *, saved: bool) -> HttpResponse:
    response = render(request, "citizen/quests/_save_status.html", {**context, "saved": saved})
    if saved:
        response[AUTOSAVE_HEADER] = "saved"
    else:
        # Refused for a reason the citizen must read (the quest is no longer editable): shown, not retried.
        response[AUTOSAVE_HEADER] = "refused"
        response.status_code = 409
    return response


def _htmx_saved(
    request: AuthenticatedHttpRequest, found: Quest, step: Step, before: list[InputSpec], errors: dict[str, str]
) -> HttpResponse:
    """The save status for the live region; the fields again (out of band) when conditions changed them."""
    refreshed = _own_quest(request, found.pk)
    view = _quest_view(refreshed, current=step)
    saved_at = timezone.localtime()
    if not view.seen.is_visible(step):
        # Answers in this step hid it (a condition on itself cannot, but stay safe): back to the quest.
        return _autosave_answer(request, {"saved_at": saved_at}, saved=True)
    after = view.inputs_open(step)
    fields_form = None
    locked = step_prefill(request, refreshed, after, view.seen.answers, with_offers=False).locked
    # An answer of this step made the certified identity apply ("pour moi"): show it locked now.
    shown_locked = {spec.name for spec in after if spec.kind in READONLY_KINDS and spec.name in locked}
    newly_locked = any(request.POST.get(name) != locked[name] for name in shown_locked)
    if newly_locked or [spec.name for spec in after] != [spec.name for spec in before]:
        fields_form = StepForm(
            specs=after,
            data=request.POST,
            documents=_wallet_for(request, after),
            locked=locked,
            requests=_requests(refreshed),
        )
        fields_form.set_errors(errors)
    return _autosave_answer(
        request,
        {
            "saved_at": saved_at,
            "errors": [{"name": name, "message": message} for name, message in errors.items()],
            "fields_form": fields_form,
        },
        saved=True,
    )


# --- Review and submission -------------------------------------------------------------------------


@dataclass
class DisplayedAnswer:
    label: str
    value: str


def _display_value(spec: InputSpec, value: Any, documents: Mapping[int, Document]) -> str:
    titles = {pk: document.title for pk, document in documents.items()}
    return answer_shown(spec, value, titles, removed=_("Document retiré de votre porte-documents"))


def _displayed_answers(
    specs: list[InputSpec], answers: dict[str, Any], documents: Mapping[int, Document]
) -> list[DisplayedAnswer]:
    return [
        DisplayedAnswer(label=spec.label, value=_display_value(spec, answers.get(spec.name), documents))
        for spec in specs
    ]


def _quest_documents(quest: Quest, specs: list[InputSpec]) -> dict[int, Document]:
    """The documents attached to the quest, by id (one query, only when documents are asked)."""
    if not any(spec.kind == FieldKind.DOCUMENT for spec in specs):
        return {}
    return quest_documents_by_id(quest=quest)


@role_required(Role.CITIZEN)
def quest_review(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _own_quest(request, quest_id)
    view = _quest_view(found)
    report = completeness(view.seen, view.done)
    documents = _quest_documents(found, [spec for row in view.rows for spec in view.seen.inputs_of(row.step)])
    sections = [
        (row, _displayed_answers(view.seen.inputs_of(row.step), view.seen.answers, documents))
        for row in view.rows
        if not row.is_agents
    ]
    return render(
        request,
        "citizen/quests/review.html",
        {
            "title": _("Récapitulatif"),
            "quest": found,
            "view": view,
            "sections": sections,
            # The unfinished steps by their step (the template marks their French title), then the answers.
            "missing_steps": [row.step for row in view.rows if row.step.slug in report.steps],
            "missing": list(report.fields.values()),
            "timbre": quest_timbre(found, view.seen.answers) if books_through_ants(found) else None,
        },
    )


@require_POST
@role_required(Role.CITIZEN)
def quest_submit_view(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _own_quest(request, quest_id)
    mandate = request_mandate(request)
    try:
        if mandate is None:
            quest_submit(quest=found, actor=request.user)
        else:
            helper_quest_submit(helper=request.user, mandate=mandate, quest=found)
    except QuestIncomplete as error:
        messages.error(request, error.message)
        return redirect("citizen:quest-review", quest_id=found.pk)
    except ProcedureError as error:
        messages.error(request, error.message)
        return redirect("citizen:quest", quest_id=found.pk)
    messages.success(request, _("Votre dossier est déposé. Le service instructeur vous répondra ici."))
    return redirect("citizen:quest", quest_id=found.pk)
