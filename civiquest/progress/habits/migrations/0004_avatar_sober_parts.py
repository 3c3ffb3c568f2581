"""Avatars saved with a part that named a symbol of the Republic or of public office get its replacement.

The tricolour background, the laurel crown and the tricolour sash left the catalogue
(``avatar.RENAMED``): the same unlock (badge or level) now gives hills, a sun hat and a backpack.
"""

from django.db import migrations

# A copy of ``civiquest.progress.habits.avatar.RENAMED`` as it was when written.
RENAMED = {
    ("background", "tricolore"): "hills",
    ("hair", "laurels"): "sun_hat",
    ("accessory", "tricolour_sash"): "backpack",
}


def forward(apps, schema_editor):
    preferences = apps.get_model("habits", "GamePreferences")
    for row in preferences.objects.exclude(avatar={}).only("pk", "avatar").iterator():
        avatar = row.avatar if isinstance(row.avatar, dict) else {}
        changed = {
            slot: RENAMED[(slot, code)]
            for slot, code in avatar.items()
            if isinstance(code, str) and (slot, code) in RENAMED
        }
        if changed:
            row.avatar = {**avatar, **changed}
            row.save(update_fields=["avatar"])


class Migration(migrations.Migration):
    dependencies = [("habits", "0003_game_preferences_chosen_at")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
