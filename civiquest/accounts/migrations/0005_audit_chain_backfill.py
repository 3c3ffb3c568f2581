"""Chain the audit events recorded before the hash chain existed, in the order they happened.

The hash is computed as ``accounts.audit.event_hash`` does today (a frozen copy: a migration
never imports code that may change later).
"""

import datetime as dt
import hashlib
import json

from django.db import migrations

GENESIS = "0" * 64
CHAINED = ("sequence", "at", "actor_role", "action", "target_type", "target_id", "motivation", "details")
BATCH = 1_000


def _hash(event, previous_hash):
    values = {name: getattr(event, name) for name in CHAINED}
    values["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    values["previous_hash"] = previous_hash
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    previous, sequence, batch = GENESIS, 0, []
    for event in AuditEvent.objects.order_by("at", "pk").iterator(chunk_size=BATCH):
        sequence += 1
        event.sequence = sequence
        event.previous_hash = previous
        event.hash = _hash(event, previous)
        previous = event.hash
        batch.append(event)
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_update(batch, ["sequence", "previous_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["sequence", "previous_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
