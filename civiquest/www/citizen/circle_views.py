"""Circles (family, friends): opt-in, by pseudonym, each member choosing what the circle sees of them.

A circle's page is for its members only (anyone else: 404). It shows each member's pseudonym
and only the progress that member chose to show (nothing by default).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import sharing as actions
from civiquest.actions import social as social_actions
from civiquest.core.ratelimit import RateLimited
from civiquest.progress.selectors import shared_progress_of
from civiquest.social.selectors import pseudonym_of, pseudonyms_of
from civiquest.social.services import PseudonymInvalid
from civiquest.social.sharing import selectors
from civiquest.social.sharing.models import Circle
from civiquest.social.sharing.services import CircleInvalid
from civiquest.www.citizen.sharing_forms import CircleCreateForm, PseudonymForm, VisibilityForm


def _circle_or_404(request: AuthenticatedHttpRequest, circle_id: int) -> Circle:
    circle = selectors.circle_for_member(circle_id=circle_id, user=request.user)
    if circle is None:
        raise Http404
    return circle


@role_required(Role.CITIZEN)
def circles(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _circles_page(request, CircleCreateForm(), PseudonymForm())


def _circles_page(
    request: AuthenticatedHttpRequest, form: CircleCreateForm, pseudonym_form: PseudonymForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "citizen/sharing/circles.html",
        {
            "title": _("Mes cercles"),
            "circles": selectors.circles_of(user=request.user),
            "pseudonym": pseudonym_of(request.user),
            "form": form,
            "pseudonym_form": pseudonym_form,
            "next": request.GET.get("next", ""),
        },
        status=status,
    )


@role_required(Role.CITIZEN)
@require_POST
def circle_pseudonym(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PseudonymForm(request.POST)
    if form.is_valid():
        try:
            social_actions.pseudonym_choose(citizen=request.user, pseudonym=form.cleaned_data["pseudonym"])
        except PseudonymInvalid as refused:
            form.add_error("pseudonym", refused.message)
        else:
            messages.success(request, _("Votre pseudonyme est choisi."))
            target = request.POST.get("next", "")
            if target.startswith("/mon-espace/cercles/") and "//" not in target:
                return redirect(target)
            return redirect("citizen:circles")
    return _circles_page(request, CircleCreateForm(), form, status=400)


@role_required(Role.CITIZEN)
@require_POST
def circle_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CircleCreateForm(request.POST)
    if pseudonym_of(request.user) is None:
        form.add_error(None, _("Choisissez d’abord un pseudonyme : les membres d’un cercle ne voient que lui."))
    elif form.is_valid():
        try:
            circle = actions.circle_create(
                citizen=request.user, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
            )
        except CircleInvalid as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("citizen:circle", circle.pk)
    return _circles_page(request, form, PseudonymForm(), status=400)


@role_required(Role.CITIZEN)
def circle(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    memberships = list(found.memberships.all())
    ids = [row.member_id for row in memberships]
    names = pseudonyms_of(ids)
    progress = shared_progress_of(
        [row.member_id for row in memberships if row.shows_level or row.shows_badges or row.shows_done_count]
    )
    members: list[dict[str, Any]] = []
    for row in memberships:
        shown = progress.get(row.member_id)
        members.append(
            {
                "membership": row,
                "pseudonym": names.get(row.member_id) or _("(pseudonyme à choisir)"),
                "is_me": row.member_id == request.user.pk,
                "is_owner": row.member_id == found.owner_id,
                "level": shown if shown and row.shows_level else None,
                "badges": shown.badges if shown and row.shows_badges else None,
                "done_count": shown.done_count if shown and row.shows_done_count else None,
            }
        )
    mine = selectors.membership_of(circle=found, user=request.user)
    if mine is None:
        raise Http404
    is_owner = found.owner_id == request.user.pk
    invitations = selectors.pending_invitations(circle=found) if is_owner else []
    return render(
        request,
        "citizen/sharing/circle.html",
        {
            "title": found.name,
            "circle": found,
            "members": members,
            "is_owner": is_owner,
            "visibility_form": VisibilityForm(
                initial={
                    "shows_level": mine.shows_level,
                    "shows_badges": mine.shows_badges,
                    "shows_done_count": mine.shows_done_count,
                }
            ),
            "invitations": [
                (invitation, request.build_absolute_uri(reverse("citizen:circle-join", args=[invitation.token])))
                for invitation in invitations
            ],
            "pseudonym": names.get(request.user.pk),
        },
    )


@role_required(Role.CITIZEN)
@require_POST
def circle_invite(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    try:
        actions.circle_invite(citizen=request.user, circle=found)
    except (CircleInvalid, RateLimited) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Invitation créée : envoyez son lien à la personne invitée. Il sert une fois."))
    return redirect("citizen:circle", found.pk)


@role_required(Role.CITIZEN)
def circle_join(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        raise Http404
    pseudonym = pseudonym_of(request.user)
    if request.method == "POST" and pseudonym is not None:
        try:
            membership = actions.circle_join(citizen=request.user, token=token)
        except CircleInvalid as refused:
            messages.error(request, refused.message)
            return redirect("citizen:circles")
        messages.success(
            request, _("Vous avez rejoint le cercle. Il ne voit rien de vous tant que vous ne le choisissez pas.")
        )
        return redirect("citizen:circle", membership.circle_id)
    return render(
        request,
        "citizen/sharing/join.html",
        {
            "title": _("Rejoindre un cercle"),
            "invitation": invitation,
            "inviter": pseudonym_of(invitation.circle.owner),
            "pseudonym": pseudonym,
            "pseudonym_form": PseudonymForm(),
            "here": request.path,
        },
    )


@role_required(Role.CITIZEN)
@require_POST
def circle_visibility(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    mine = selectors.membership_of(circle=found, user=request.user)
    form = VisibilityForm(request.POST)
    if mine is None or not form.is_valid():
        raise Http404
    actions.circle_visibility_set(membership=mine, **form.cleaned_data)
    messages.success(request, _("Vos choix sont enregistrés."))
    return redirect("citizen:circle", found.pk)


@role_required(Role.CITIZEN)
@require_POST
def circle_leave(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    try:
        actions.circle_leave(citizen=request.user, circle=found)
    except CircleInvalid as refused:
        messages.error(request, refused.message)
        return redirect("citizen:circle", found.pk)
    messages.success(request, _("Vous avez quitté le cercle."))
    return redirect("citizen:circles")


@role_required(Role.CITIZEN)
@require_POST
def circle_member_remove(request: AuthenticatedHttpRequest, circle_id: int, membership_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    try:
        removed = actions.circle_member_remove(citizen=request.user, circle=found, membership_id=membership_id)
    except CircleInvalid as refused:
        messages.error(request, refused.message)
        return redirect("citizen:circle", found.pk)
    if not removed:
        raise Http404
    messages.success(request, _("Le membre est retiré du cercle."))
    return redirect("citizen:circle", found.pk)


@role_required(Role.CITIZEN)
@require_POST
def circle_delete(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    found = _circle_or_404(request, circle_id)
    try:
        actions.circle_delete(citizen=request.user, circle=found)
    except CircleInvalid as refused:
        messages.error(request, refused.message)
        return redirect("citizen:circle", found.pk)
    messages.success(request, _("Le cercle est supprimé."))
    return redirect("citizen:circles")
