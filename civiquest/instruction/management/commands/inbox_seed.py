"""Seed a service's inbox with many quests, quickly (bulk inserts): for the inbox benchmark.

    manage.py inbox_seed --quests 100000 --service 3        # a service's id
    manage.py inbox_seed --quests 10000 --service "Mairie de Nouméa"

Adds quests (and one citizen per five quests) until the service holds ``--quests`` seeded
quests, spread over its procedures that have a published revision: 70 % decided, 30 % still
open, as in a service that has run for a while. Never for production data: the citizens and
quests are made up (``inbox-seed-…`` accounts, references of the year 2025).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from civiquest.accounts.models import Role, Service, User
from civiquest.catalogue.models import ProcedureRevision, RevisionStatus
from civiquest.quests.models import Quest, QuestState

S = QuestState
# Out of 20 quests: 10 accepted, 2 rejected, 2 closed, 3 submitted, 2 in review, 1 to complete.
STATES: tuple[QuestState, ...] = (S.ACCEPTED,) * 10 + (S.REJECTED,) * 2 + (S.CLOSED,) * 2 + (S.SUBMITTED,) * 3
STATES += (S.IN_REVIEW,) * 2 + (S.CHANGES_REQUESTED,)
SYLLABLES = ("ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "ze", "bo", "du", "fa", "gi", "ho", "ju")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUESTS_PER_CITIZEN = 5
BATCH = 5000
USERNAME_PREFIX = "inbox-seed-"


def seed_name(number: int) -> str:
    """A made-up surname per number ("kalomi"), so that a name search finds a few citizens."""
    letters = []
    for _ in range(4):
        letters.append(SYLLABLES[number % len(SYLLABLES)])
        number //= len(SYLLABLES)
    return "".join(letters)


def seed_reference(service_id: int, number: int) -> str:
    """``CQ-2025-XXXX-XXXX``, scattered like real ones (a bijection of the number)."""
    value = (number * 0x9E3779B1 + service_id * 7919) % 2**40
    body = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"CQ-2025-{body[:4]}-{body[4:]}"


class Command(BaseCommand):
    help = "Add made-up quests to a service's inbox until it holds --quests of them (benchmarks only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quests", type=int, required=True, help="Seeded quests the service should hold.")
        parser.add_argument("--service", required=True, help="The service's id or exact name.")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: int = options["quests"]
        service = self._service(str(options["service"]))
        revisions = list(
            ProcedureRevision.objects.filter(
                procedure__instructing_service=service, status=RevisionStatus.PUBLISHED
            ).values_list("procedure_id", "pk")
        )
        if not revisions:
            raise CommandError(f"{service.name} instructs no published procedure.")
        have = Quest.objects.filter(
            procedure__instructing_service=service, citizen__username__startswith=USERNAME_PREFIX
        ).count()
        password = make_password(None)
        now = timezone.now()
        for start in range(have, wanted, BATCH):
            stop = min(wanted, start + BATCH)
            with transaction.atomic():
                self._batch(service, revisions, range(start, stop), password, now)
            self.stdout.write(f"{stop} quests")
        self.stdout.write(f"{service.name}: {max(wanted, have)} seeded quests.")

    def _service(self, given: str) -> Service:
        found = Service.objects.filter(pk=int(given)) if given.isdigit() else Service.objects.filter(name=given)
        service = found.first()
        if service is None:
            raise CommandError(f"No service {given!r}.")
        return service

    def _batch(
        self, service: Service, revisions: list[tuple[int, int]], numbers: range, password: str, now: dt.datetime
    ) -> None:
        first_citizen = numbers.start // QUESTS_PER_CITIZEN
        last_citizen = (numbers.stop - 1) // QUESTS_PER_CITIZEN
        names = {number: seed_name(number) for number in range(first_citizen, last_citizen + 1)}
        usernames = {number: f"{USERNAME_PREFIX}{service.pk}-{number}" for number in names}
        existing = dict(User.objects.filter(username__in=usernames.values()).values_list("username", "pk"))
        # ``save`` folds the names into ``search_name``; bulk inserts write it themselves.
        User.objects.bulk_create(
            User(
                username=usernames[number],
                password=password,
                role=Role.CITIZEN,
                first_name="Usager",
                last_name=name.capitalize(),
                search_name=f"usager {name}",
            )
            for number, name in names.items()
            if usernames[number] not in existing
        )
        citizen_ids = dict(User.objects.filter(username__in=usernames.values()).values_list("username", "pk"))
        quests = []
        for number in numbers:
            procedure_id, revision_id = revisions[number % len(revisions)]
            state = STATES[number % len(STATES)]
            submitted = now - dt.timedelta(days=number % 400, minutes=number % 1440)
            quests.append(
                Quest(
                    citizen_id=citizen_ids[usernames[number // QUESTS_PER_CITIZEN]],
                    procedure_id=procedure_id,
                    revision_id=revision_id,
                    state=state,
                    reference=seed_reference(service.pk, number),
                    submitted_at=submitted,
                    decided_at=submitted + dt.timedelta(days=20)
                    if state in (S.ACCEPTED, S.REJECTED, S.CLOSED)
                    else None,
                    # Some procedures have no legal delay: no deadline (they sort last).
                    deadline_at=None if number % 23 == 0 else submitted + dt.timedelta(days=60),
                )
            )
        Quest.objects.bulk_create(quests)
