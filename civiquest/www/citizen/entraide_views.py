"""Entraide pages: questions and answers between citizens, per procedure and per step.

Signed-in citizens only. Posting needs a pseudonym (chosen once). Every write is a POST that
redirects (or shows the form again with its errors, the text kept); a personal data warning
shows the form again with a confirmation box.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import entraide as actions
from civiquest.actions import social as social_actions
from civiquest.catalogue.models import Procedure
from civiquest.catalogue.selectors import published_steps
from civiquest.core.errors import ProcedureError
from civiquest.core.ratelimit import RateLimited
from civiquest.quests.selectors import published_procedure
from civiquest.social.entraide import selectors
from civiquest.social.entraide.models import Question
from civiquest.social.selectors import pseudonym_of
from civiquest.social.services import PseudonymInvalid
from civiquest.www.citizen.entraide_forms import AnswerForm, PseudonymForm, QuestionForm


def _procedure(slug: str) -> Procedure:
    procedure = published_procedure(slug=slug)
    if procedure is None:
        raise Http404
    return procedure


def _safe_next(request: AuthenticatedHttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _needs_pseudonym(request: AuthenticatedHttpRequest, back: str = "") -> HttpResponse | None:
    """A redirect to choose the pseudonym first (then back to ``back``, or this page), or None."""
    if pseudonym_of(request.user) is not None:
        return None
    messages.info(request, _("Choisissez d’abord votre pseudonyme : il sera affiché à la place de votre nom."))
    return redirect(f"{reverse('citizen:entraide-pseudonym')}?{urlencode({'next': back or request.get_full_path()})}")


@role_required(Role.CITIZEN)
def pseudonym(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = pseudonym_of(request.user)
    back = _safe_next(request, reverse("citizen:dashboard"))
    form = PseudonymForm(data=request.POST or None)
    if request.method == "POST" and current is None and form.is_valid():
        try:
            social_actions.pseudonym_choose(citizen=request.user, pseudonym=form.cleaned_data["pseudonym"])
        except PseudonymInvalid as invalid:
            form.add_error("pseudonym", invalid.message)
        else:
            messages.success(request, _("Votre pseudonyme est enregistré."))
            return redirect(back)
    status = 400 if request.method == "POST" and (current is not None or form.errors) else 200
    context = {"title": _("Votre pseudonyme d’entraide"), "form": form, "current": current, "next": back}
    return render(request, "citizen/entraide/pseudonym.html", context, status=status)


def _steps(procedure: Procedure) -> list[tuple[str, str]]:
    return [(step.slug, step.title) for step in published_steps(procedure)]


@role_required(Role.CITIZEN)
def procedure_questions(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(slug)
    steps = _steps(procedure)
    step_slug = request.GET.get("etape", "")
    if step_slug not in dict(steps):
        step_slug = ""
    rows = selectors.questions_of_procedure(procedure, step_slug=step_slug, viewer=request.user)
    titles = dict(steps)
    for row in rows:
        row.step_title = titles.get(row.question.step_slug, "")
    context = {
        "title": _("Entraide : %(procedure)s") % {"procedure": procedure.title},
        "procedure": procedure,
        "steps": steps,
        "step_slug": step_slug,
        "rows": rows,
    }
    return render(request, "citizen/entraide/procedure.html", context)


@role_required(Role.CITIZEN)
def question_ask(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(slug)
    refused = _needs_pseudonym(request)
    if refused is not None:
        return refused
    steps = _steps(procedure)
    if request.method != "POST":
        initial = {"step_slug": request.GET.get("etape", "")}
        form = QuestionForm(steps=steps, initial=initial)
        return _ask_page(request, procedure, form)
    warned = "confirm_personal_data" in request.POST or request.POST.get("warned") == "1"
    form = QuestionForm(data=request.POST, steps=steps, warned=warned)
    if not form.is_valid():
        return _ask_page(request, procedure, form, status=400)
    try:
        question = actions.question_ask(
            author=request.user,
            procedure=procedure,
            step_slug=form.cleaned_data["step_slug"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            confirm_personal_data=form.confirmed,
        )
    except actions.PersonalDataWarning as warning:
        form = QuestionForm(data=request.POST, steps=steps, warned=True)
        form.is_valid()
        form.add_error("body", warning.message)
        return _ask_page(request, procedure, form, status=400, warned=True)
    except (ProcedureError, RateLimited) as refusal:
        form.add_error("body", refusal.message)
        return _ask_page(request, procedure, form, status=400 if isinstance(refusal, ProcedureError) else 429)
    _posted_message(request, question.status)
    return redirect("citizen:entraide-question", question_id=question.pk)


def _posted_message(request: AuthenticatedHttpRequest, status: str) -> None:
    if status == "pending":
        messages.info(
            request,
            _(
                "Merci ! Comme c’est l’un de vos premiers messages, il sera publié après la relecture "
                "d’un modérateur. En attendant, vous seul le voyez."
            ),
        )
    else:
        messages.success(request, _("Votre message est publié."))


def _ask_page(
    request: AuthenticatedHttpRequest,
    procedure: Procedure,
    form: QuestionForm,
    *,
    status: int = 200,
    warned: bool = False,
) -> HttpResponse:
    context = {
        "title": _("Poser une question sur %(procedure)s") % {"procedure": procedure.title},
        "procedure": procedure,
        "form": form,
        "warned": warned,
    }
    return render(request, "citizen/entraide/ask.html", context, status=status)


def _question(request: AuthenticatedHttpRequest, question_id: int) -> Question:
    found = selectors.question_visible(question_id, request.user)
    if found is None:
        raise Http404
    return found


def _question_page(
    request: AuthenticatedHttpRequest,
    found: Question,
    form: AnswerForm | None = None,
    *,
    status: int = 200,
    warned: bool = False,
) -> HttpResponse:
    page = selectors.question_page(found, request.user)
    context = {
        "title": found.title,
        "page": page,
        "question": found,
        "procedure": found.procedure,
        "form": form or AnswerForm(),
        "warned": warned,
        "has_pseudonym": pseudonym_of(request.user) is not None,
    }
    return render(request, "citizen/entraide/question.html", context, status=status)


@role_required(Role.CITIZEN)
def question(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    return _question_page(request, _question(request, question_id))


@role_required(Role.CITIZEN)
@require_POST
def answer_post(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    found = _question(request, question_id)
    refused = _needs_pseudonym(request, reverse("citizen:entraide-question", kwargs={"question_id": found.pk}))
    if refused is not None:
        return refused
    warned = "confirm_personal_data" in request.POST or request.POST.get("warned") == "1"
    form = AnswerForm(data=request.POST, warned=warned)
    if not form.is_valid():
        return _question_page(request, found, form, status=400, warned=warned)
    try:
        answer = actions.answer_post(
            author=request.user,
            question=found,
            body=form.cleaned_data["body"],
            fiche_url=form.cleaned_data["fiche_url"],
            confirm_personal_data=form.confirmed,
        )
    except actions.PersonalDataWarning as warning:
        form = AnswerForm(data=request.POST, warned=True)
        form.is_valid()
        form.add_error("body", warning.message)
        return _question_page(request, found, form, status=400, warned=True)
    except (ProcedureError, RateLimited) as refusal:
        form.add_error("body", refusal.message)
        return _question_page(request, found, form, status=400 if isinstance(refusal, ProcedureError) else 429)
    _posted_message(request, answer.status)
    return redirect(f"{reverse('citizen:entraide-question', kwargs={'question_id': found.pk})}#reponse-{answer.pk}")


def _answer(request: AuthenticatedHttpRequest, answer_id: int) -> Any:
    answer = selectors.answer_of(answer_id)
    if answer is None or selectors.question_visible(answer.question_id, request.user) is None:
        raise Http404
    return answer


@role_required(Role.CITIZEN)
@require_POST
def answer_vote(request: AuthenticatedHttpRequest, answer_id: int) -> HttpResponse:
    answer = _answer(request, answer_id)
    try:
        counted = actions.answer_vote(voter=request.user, answer=answer)
    except (ProcedureError, RateLimited) as refusal:
        messages.error(request, refusal.message)
    else:
        if counted:
            messages.success(request, _("Merci : votre vote « utile » est compté."))
        else:
            messages.info(request, _("Vous avez déjà trouvé cette réponse utile."))
    return redirect(
        f"{reverse('citizen:entraide-question', kwargs={'question_id': answer.question_id})}#reponse-{answer.pk}"
    )


@role_required(Role.CITIZEN)
@require_POST
def answer_accept(request: AuthenticatedHttpRequest, answer_id: int) -> HttpResponse:
    answer = _answer(request, answer_id)
    try:
        accepted = actions.answer_accept(asker=request.user, answer=answer)
    except ProcedureError as refusal:
        messages.error(request, refusal.message)
    else:
        if accepted:
            messages.success(request, _("Vous avez accepté cette réponse. Merci d’avoir signalé ce qui vous a aidé."))
        else:
            messages.info(request, _("Cette réponse était déjà acceptée."))
    return redirect(
        f"{reverse('citizen:entraide-question', kwargs={'question_id': answer.question_id})}#reponse-{answer.pk}"
    )
