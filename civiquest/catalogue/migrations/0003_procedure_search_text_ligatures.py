# The search column again, now through the project's one folding (œ → oe, æ → ae): "soeur"
# finds a procedure titled "sœur", as it always did for accents.

import re
import unicodedata

from django.db import migrations


def _search_key(text):
    # A frozen copy of civiquest.core.text.search_key (migrations must not change with the code).
    text = text.translate(str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}))
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def refold(apps, schema_editor):
    Procedure = apps.get_model("catalogue", "Procedure")
    for procedure in Procedure.objects.only("title", "summary", "keywords", "search_text").iterator():
        folded = _search_key(f"{procedure.title} {procedure.summary} {procedure.keywords}")
        if folded != procedure.search_text:
            Procedure.objects.filter(pk=procedure.pk).update(search_text=folded)


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0002_revision_needs"),
    ]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
    ]
