"""Compute the legal deadline of quests submitted before deadlines existed (see ``deadlines``)."""

import datetime as dt

from django.db import migrations


def backfill(apps, schema_editor):
    Quest = apps.get_model("procedures", "Quest")
    QuestTransition = apps.get_model("procedures", "QuestTransition")
    quests = Quest.objects.filter(submitted_at__isnull=False, procedure__legal_delay_days__isnull=False)
    for quest in quests.select_related("procedure").iterator(chunk_size=500):
        first = None
        paused = dt.timedelta()
        since = None
        for at, to_state in (
            QuestTransition.objects.filter(quest=quest).order_by("at", "pk").values_list("at", "to_state")
        ):
            if to_state == "draft":
                continue
            if to_state == "submitted" and first is None:
                first = at
            if to_state == "changes_requested":
                since = at
            elif since is not None:
                paused += at - since
                since = None
        if first is None:
            continue
        Quest.objects.filter(pk=quest.pk).update(
            deadline_at=first + dt.timedelta(days=quest.procedure.legal_delay_days) + paused,
            deadline_paused_seconds=round(paused.total_seconds()),
            deadline_paused_since=since,
        )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_instruction")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
