"""Who may open a citizen's quest page: its citizen, or a helper holding an active mandate of
that citizen covering the quest's procedure (``mandates.selectors.helper_quest``, read from the
database at each request). Anybody else gets the same 404 as for a quest that does not exist.

The mandate found is kept on the request only (``request_mandate``), for the view to pass to
the helper's use cases; never in the session.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from civiquest.accounts.access import AuthenticatedHttpRequest
from civiquest.documents.models import Document
from civiquest.documents.selectors import wallet_documents
from civiquest.quests.models import Quest
from civiquest.quests.selectors import quest_detail
from civiquest.social.mandates.models import Mandate
from civiquest.social.mandates.selectors import helper_documents, helper_quest

REQUEST_ATTRIBUTE = "civiquest_mandate"


def quest_or_mandated(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    """The citizen's own quest (one query, as before), else one a mandate lets the user open; 404."""
    quest = quest_detail(quest_id=quest_id, citizen=request.user)
    if quest is not None:
        setattr(request, REQUEST_ATTRIBUTE, None)
        return quest
    found = helper_quest(quest_id=quest_id, helper=request.user)
    if found is None:
        raise Http404
    setattr(request, REQUEST_ATTRIBUTE, found.mandate)
    return found.quest


def request_mandate(request: HttpRequest) -> Mandate | None:
    """The mandate under which this request's user opened the quest; None for the citizen."""
    mandate = getattr(request, REQUEST_ATTRIBUTE, None)
    return mandate if isinstance(mandate, Mandate) else None


def wallet_for_quest(request: AuthenticatedHttpRequest) -> list[Document]:
    """The documents a step may offer: the citizen's wallet, or, to a helper, the citizen's
    documents in the mandate's domains."""
    mandate = request_mandate(request)
    if mandate is None:
        return wallet_documents(owner=request.user)
    return helper_documents(mandate=mandate)
