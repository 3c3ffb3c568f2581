"""Staff moderators' queue: posts awaiting approval, hidden after reports, reported; a post's file and decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.moderation import moderation_decide
from civiquest.social.moderation import selectors
from civiquest.social.moderation.services import DecisionRefused, actions_for
from civiquest.social.selectors import pseudonyms_of
from civiquest.www.staff.moderation_forms import DecisionForm

TAB_LABELS = {
    selectors.TAB_PENDING: gettext_lazy("À valider"),
    selectors.TAB_HIDDEN: gettext_lazy("Masqués après signalements"),
    selectors.TAB_REPORTED: gettext_lazy("Signalés"),
}
POST_URL_NAMES = {"question": "staff:moderation-question", "answer": "staff:moderation-answer"}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 1


@role_required(Role.STAFF)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = selectors.moderation_queue(request.GET.get("onglet", ""), page=_page_number(request.GET.get("page")))
    return render(
        request,
        "staff/moderation/queue.html",
        {
            "title": _("Modération de l’entraide"),
            "queue": page,
            "tabs": [(tab, TAB_LABELS[tab], page.counts[tab]) for tab in selectors.TABS],
            "tab_label": TAB_LABELS[page.tab],
            "post_url_names": POST_URL_NAMES,
        },
    )


def _post(request: AuthenticatedHttpRequest, kind: str, post_id: int) -> HttpResponse:
    post = selectors.post_for_staff(kind, post_id)
    if post is None:
        raise Http404
    form = DecisionForm(data=request.POST if request.method == "POST" else None, actions=actions_for(post))
    if request.method == "POST" and form.is_valid():
        try:
            decision = moderation_decide(
                moderator=request.user,
                post=post,
                action=form.cleaned_data["action"],
                explanation=form.cleaned_data["explanation"],
                days=form.cleaned_data["days"],
            )
        except DecisionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Décision enregistrée : « %(action)s ». L’explication est envoyée à l’auteur.")
                % {"action": decision.get_action_display()},
            )
            return redirect(POST_URL_NAMES[kind], post_id=post.pk)
    history = selectors.author_history(post.author_id)
    pseudonym = pseudonyms_of([post.author_id]).get(post.author_id) if post.author_id else None
    return render(
        request,
        "staff/moderation/post.html",
        {
            "title": _("Question signalée ou à valider") if kind == "question" else _("Réponse signalée ou à valider"),
            "post": post,
            "kind": kind,
            "procedure_title": selectors.procedure_title_of(post),
            "pseudonym": pseudonym,
            "reports": selectors.reports_on(post),
            "open_reports": selectors.open_reporters(post),
            "history": history,
            "form": form,
            "post_url_names": POST_URL_NAMES,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
def question(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    return _post(request, "question", post_id)


@role_required(Role.STAFF)
def answer(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    return _post(request, "answer", post_id)
