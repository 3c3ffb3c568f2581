"""Staff pages of the recommendation rules: the list by trigger, a rule with its edit form and revisions.

Staff change a rule through ``actions.recommendations.recommendation_rule_update`` (checked,
revised, audited); a rule the checks refuse is shown again with the errors, nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.recommendations import recommendation_rule_update
from civiquest.recommendations.models import Rule
from civiquest.recommendations.rule_selectors import procedure_titles, rule_for_staff, rule_revisions, rules_for_staff
from civiquest.recommendations.rules import RulesInvalid
from civiquest.www.staff import recommendation_words as words
from civiquest.www.staff.recommendation_forms import RuleForm


@role_required(Role.STAFF)
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = rules_for_staff()
    return render(
        request,
        "staff/recommendations/rules.html",
        {"title": _("Règles de recommandation"), "groups": words.rules_by_trigger(found), "total": len(found)},
    )


def _rule(code: str) -> Rule:
    rule = rule_for_staff(code)
    if rule is None:
        raise Http404
    return rule


def _error_summary(form: RuleForm) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of each error, an offset's label preceded by its legend."""
    legends = {group["name"]: group["legend"] for group in form.offset_groups()}
    summary = []
    for name in form.names_in_page_order():
        errors = form.errors.get(name)
        if not errors:
            continue
        field = form[name]
        legend = next((legend for prefix, legend in legends.items() if name.startswith(prefix + "_")), None)
        label = f"{legend} — {field.label}" if legend else str(field.label)
        summary += [(field.auto_id, label, error) for error in errors]
    return summary


@role_required(Role.STAFF)
def rule(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = _rule(code)
    form = RuleForm(data=request.POST if request.method == "POST" else None, rule=found)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("Aucune valeur n’a changé : il n’y a rien à enregistrer."))
        else:
            try:
                recommendation_rule_update(
                    actor=request.user, rule=found, changes=changes, comment=form.cleaned_data["comment"]
                )
            except RulesInvalid as error:
                form.add_problems(error.problems)
            else:
                messages.success(request, _("La règle est enregistrée ; sa révision garde le motif donné."))
                return redirect("staff:recommendation-rule", code=found.code)
    revisions = rule_revisions(found)
    slugs = {revision.content.get("procedure", "") for revision in revisions}
    titles = procedure_titles(slugs - {found.procedure.slug}) | {found.procedure.slug: found.procedure.title}
    return render(
        request,
        "staff/recommendations/rule.html",
        {
            "title": _("Règle : %(procedure)s") % {"procedure": found.procedure.title},
            "rule": found,
            "row": words.rule_row(found),
            "trigger": words.trigger_label(found.trigger),
            "form": form,
            "error_summary": _error_summary(form),
            "revisions": words.revision_rows(revisions, titles),
        },
        status=400 if form.errors else 200,
    )
