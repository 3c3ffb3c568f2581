"""Stored source URLs lose the host of the machine that imported them.

Procedures were stored as ``CIVIQUEST_PUBLIC_URL`` + path (``http://127.0.0.1:8000/demarches/…``):
they keep the path only. A fiche whose URL is not on service-public.fr gets its official
address back. The content hash is left as it is: the next ``catalogue_refresh`` rewrites the
procedures once (their hash now covers the relative path), which changes nothing else.
"""

from urllib.parse import urlsplit

from django.db import migrations, models

SERVICE_PUBLIC_URL = "https://www.service-public.fr/particuliers/vosdroits/{key}"
OFFICIAL_HOST = "service-public.fr"


def _relative(url):
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def _official(url, key):
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if parts.scheme == "https" and (host == OFFICIAL_HOST or host.endswith("." + OFFICIAL_HOST)):
        return url
    return SERVICE_PUBLIC_URL.format(key=key)


def fix_urls(apps, schema_editor):
    KnowledgeSource = apps.get_model("assistant", "KnowledgeSource")
    changed = []
    for source in KnowledgeSource.objects.only("pk", "kind", "key", "url").iterator():
        url = _relative(source.url) if source.kind == "procedure" else _official(source.url, source.key)
        if url != source.url:
            source.url = url
            changed.append(source)
    KnowledgeSource.objects.bulk_update(changed, ["url"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_knowledge_base")]

    operations = [
        migrations.AlterField(
            model_name="knowledgesource",
            name="url",
            field=models.CharField(max_length=500, verbose_name="adresse web"),
        ),
        migrations.RunPython(fix_urls, migrations.RunPython.noop),
    ]
