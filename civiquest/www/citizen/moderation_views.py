"""Citizens report an entraide post, read the decisions about their own posts, and the public charter."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.actions.moderation import post_report
from civiquest.core.ratelimit import RateLimited
from civiquest.social.moderation import selectors
from civiquest.social.moderation.services import DEFAULT_REPORTS_TO_HIDE, ReportRefused, post_kind
from civiquest.www.citizen.moderation_forms import ReportForm

REPORT_URL_NAMES = {"question": "citizen:report-question", "answer": "citizen:report-answer"}


def _report(request: AuthenticatedHttpRequest, kind: str, post_id: int) -> HttpResponse:
    post = selectors.reportable_post(kind, post_id, reporter=request.user)
    if post is None:
        raise Http404
    already = selectors.report_of(post, reporter=request.user)
    own = post.author_id == request.user.pk
    form = ReportForm(data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and already is None and not own and form.is_valid():
        try:
            outcome = post_report(
                reporter=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        except ReportRefused as refused:
            form.add_error(None, refused.message)
            status = 400
        else:
            if outcome.created:
                messages.success(
                    request,
                    _("Merci, votre signalement est enregistré. L’équipe de modération l’examinera."),
                )
            return redirect(REPORT_URL_NAMES[post_kind(post)], post_id=post.pk)
    elif request.method == "POST" and (own or form.errors):
        status = 400
    response = render(
        request,
        "citizen/moderation/report.html",
        {
            "title": _("Signaler une question") if kind == "question" else _("Signaler une réponse"),
            "post": post,
            "kind": kind,
            "excerpt": selectors.excerpt_of(post, length=400),
            "procedure_title": selectors.procedure_title_of(post),
            "form": form,
            "already": already,
            "own": own,
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@role_required(Role.CITIZEN)
def report_question(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    return _report(request, "question", post_id)


@role_required(Role.CITIZEN)
def report_answer(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    return _report(request, "answer", post_id)


@role_required(Role.CITIZEN)
def decisions(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = selectors.decisions_about(request.user)
    return render(
        request,
        "citizen/moderation/decisions.html",
        {
            "title": _("Décisions de modération me concernant"),
            "decisions": found,
            "suspended_until": selectors.posting_suspended_until(request.user),
            "contact_email": settings.ENTRAIDE_MODERATION_EMAIL,
        },
    )


@public
def charter(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "citizen/moderation/charter.html",
        {
            "title": _("Charte de l’entraide"),
            "threshold": getattr(settings, "ENTRAIDE_REPORTS_TO_HIDE", DEFAULT_REPORTS_TO_HIDE),
            "contact_email": settings.ENTRAIDE_MODERATION_EMAIL,
        },
    )
