"""The citizen's public catalogue pages: the catalogue, a procedure, and where an expiring title leads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civiquest.accounts.access import public
from civiquest.accounts.models import Role, User
from civiquest.assistant.selectors import catalogue_search
from civiquest.catalogue.cache import cached_listing
from civiquest.catalogue.inputs import document_requirement_label
from civiquest.catalogue.models import ISSUED_TITLES, LifeEventCode, Procedure, StepKind
from civiquest.catalogue.selectors import procedure_slug_needing, published_steps
from civiquest.core.dates import paris_today
from civiquest.quests import workflow
from civiquest.quests.selectors import open_quest_of, published_procedure, published_procedures
from civiquest.recommendations.selectors import recommendations_for
from civiquest.www.citizen.quest_forms import CatalogueFilterForm
from civiquest.www.citizen.recommendation_views import todo_context

CATALOGUE_PAGE_SIZE = 24


@public
def catalogue(request: HttpRequest) -> HttpResponse:
    # The filter form is built only when filters are asked or the listing must be rendered (a
    # design-system form costs a fair share of the page: the cached listing holds it rendered).
    form = CatalogueFilterForm(data=request.GET) if request.GET else None
    filters = form.filters() if form is not None else {"search": "", "theme": "", "life_event": ""}

    def render_listing() -> str:
        # A free-text search goes through the site's one search (the assistant's retrieval, best
        # match first); browsing by theme or life event lists the procedures by title.
        found = catalogue_search(**filters).procedures if filters["search"] else published_procedures(**filters)
        page = Paginator(found, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form or CatalogueFilterForm(),
            "procedures": list(page.object_list),
            "page": page,
            "page_query": query.urlencode(),
            "filtered": any(filters.values()),
            "search": filters["search"],
        }
        return render_to_string("citizen/quests/catalogue_listing.html", context, request=request)

    title = _("Démarches")
    citizen = _for_the_citizen(request, life_event=filters["life_event"])
    # Browsing by theme or life event (a bounded set of listings) is served from the cache, with
    # no query at all; a free-text search (ranked by the retrieval's index, which the catalogue's
    # version does not follow) or a rejected filter is rendered each time.
    if filters["search"] or (form is not None and form.errors):
        listing = render_listing()
    else:
        parts = (get_language() or "", filters["theme"], filters["life_event"], _page_key(request.GET.get("page")))

        def cached() -> str:
            return cached_listing(parts=parts, render=render_listing)

        if not citizen:
            # Anyone but a citizen (who may see their own actions above the listing) is shown the
            # same page body for the language, filters and page: cached whole, with nothing
            # personal in it (rendered without the request: no CSRF token, user or messages).
            body = cached_listing(
                parts=("body", *parts),
                render=lambda: render_to_string(
                    "citizen/quests/catalogue_body.html",
                    {"listing": mark_safe(cached())},  # noqa: S308 - our own template's output
                ),
            )
            return render(request, "citizen/quests/catalogue.html", {"title": title, "body": mark_safe(body)})  # noqa: S308
        listing = cached()
    context = {
        "title": title,
        # The listing is our own template's output (cached as rendered).
        "listing": mark_safe(listing),  # noqa: S308
        # The search is offered to the assistant.
        "search": filters["search"],
        **citizen,
    }
    return render(request, "citizen/quests/catalogue.html", context)


def _page_key(number: str | None) -> str:
    """The page asked for, as the paginator reads it: a number (a page past the last shows the last
    one, under its own key), anything else the first page. Bounded, so no query string grows the cache."""
    if number and number.isdigit() and len(number) <= 4 and int(number) > 0:
        return str(int(number))
    return "1"


def _for_the_citizen(request: HttpRequest, *, life_event: str) -> dict[str, Any]:
    """A signed-in citizen's own actions above the catalogue, and the life event filtered on to declare."""
    user = request.user
    if not isinstance(user, User) or user.role != Role.CITIZEN:
        return {}
    context: dict[str, Any] = {"todo": recommendations_for(user, today=paris_today()), **todo_context()}
    if life_event in LifeEventCode.values:
        context["declare"] = LifeEventCode(life_event)
    return context


@public
def title_renew(request: HttpRequest, title: str) -> HttpResponse:
    """Where an expiring title leads: the procedure that issues it (set in the builder), else the catalogue."""
    if title not in dict(ISSUED_TITLES):
        raise Http404
    slug = procedure_slug_needing(issued_title=title)
    return redirect("citizen:procedure", slug=slug) if slug else redirect("citizen:catalogue")


@public
def procedure(request: HttpRequest, slug: str) -> HttpResponse:
    found = published_procedure(slug=slug)
    if found is None:
        raise Http404
    steps = published_steps(found)
    documents = [
        document_requirement_label(str(code))
        for step in steps
        if step.kind == StepKind.DOCUMENTS and isinstance(step.document_types, list)
        for code in step.document_types
    ]
    sign_in_url = reverse("oidc:franceconnect") + "?" + _next_query(request.path)
    open_quest = None
    open_quest_url = ""
    if request.user.is_authenticated and request.user.role == Role.CITIZEN:
        open_quest = open_quest_of(citizen=request.user, procedure=found)
    if open_quest is not None:
        open_quest_url = (
            reverse("citizen:quest-step", args=[open_quest.pk, open_quest.current_step.slug])
            if open_quest.state in workflow.EDITABLE_STATES and open_quest.current_step is not None
            else reverse("citizen:quest", args=[open_quest.pk])
        )
    return render(
        request,
        "citizen/quests/procedure.html",
        {
            "title": found.title,
            "procedure": found,
            "steps": steps,
            "documents": list(dict.fromkeys(documents)),
            "sign_in_url": sign_in_url,
            "cost": _cost(found),
            "open_quest": open_quest,
            "open_quest_url": open_quest_url,
        },
    )


def _cost(found: Procedure) -> str:
    if found.cost_label:
        return found.cost_label
    if not found.cost_cents:
        return _("Gratuit")
    euros = number_format(Decimal(found.cost_cents) / 100, decimal_pos=2 if found.cost_cents % 100 else 0)
    return _("%(amount)s €") % {"amount": euros}


def _next_query(path: str) -> str:
    return urlencode({"next": path})
