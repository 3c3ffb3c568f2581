"""``{% citizen_fragment %}``: a part of a page rendered once per state of a citizen's data.

    {% citizen_fragment "quest-steps" quest.citizen_id quest.pk catalogue_version %}
      … markup drawn from the citizen's data only …
    {% endcitizen_fragment %}

The rendered markup is kept in the shared cache by ``core.citizen_cache.cached_citizen_read``,
under the citizen's generation (any change to their data draws a new one), the language, the
viewer (a helper under mandate sees other links than the citizen), whether the game is shown
("mode sobre" renders otherwise) and the values given after the citizen (what else the part
shows: the quest, the catalogue's version). Nothing per request may go inside: no CSRF token, no
message, no form bound to the request, nothing that the passing of time changes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token

from civiquest.core.citizen_cache import cached_citizen_read

register = template.Library()


class CitizenFragmentNode(template.Node):
    def __init__(
        self, nodelist: NodeList, name: FilterExpression, citizen: FilterExpression, vary_on: list[FilterExpression]
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.citizen = citizen
        self.vary_on = vary_on

    def render(self, context: Any) -> str:
        citizen_id = self.citizen.resolve(context)
        if not citizen_id:
            return self.nodelist.render(context)
        request = context.get("request")
        viewer = getattr(getattr(request, "user", None), "pk", None)
        values = [viewer, bool(context.get("game_visible", True)), *(value.resolve(context) for value in self.vary_on)]
        variant = hashlib.md5(repr(values).encode(), usedforsecurity=False).hexdigest()
        return cached_citizen_read(
            f"fragment:{self.name.resolve(context)}",
            int(citizen_id),
            lambda: str(self.nodelist.render(context)),
            variant=variant,
        )


@register.tag("citizen_fragment")
def citizen_fragment(parser: Parser, token: Token) -> CitizenFragmentNode:
    """``{% citizen_fragment name citizen_id [value …] %} … {% endcitizen_fragment %}``."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a name, a citizen id and optional values")
    nodelist = parser.parse(("endcitizen_fragment",))
    parser.delete_first_token()
    return CitizenFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
    )
