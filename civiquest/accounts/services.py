from __future__ import annotations

import secrets
from base64 import b32decode
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from civiquest.accounts import staff_auth
from civiquest.accounts.identity import AgentIdentity, IdentityPivot
from civiquest.accounts.models import (
    AgentInvitation,
    ExternalIdentity,
    IdentityProvider,
    Role,
    Service,
    ServiceKind,
    ServiceMembership,
    ServiceRole,
    User,
)


def _apply_identity(user: User, identity: IdentityPivot) -> None:
    user.given_names = identity.given_names
    user.family_name = identity.family_name
    user.usage_name = identity.usage_name
    user.birthdate = identity.birthdate
    user.gender = identity.gender
    user.birthplace = identity.birthplace
    user.birthcountry = identity.birthcountry
    user.first_name = identity.given_names.split(" ")[0][:150]
    user.last_name = (identity.usage_name or identity.family_name)[:150]
    user.identity_refreshed_at = timezone.now()


def citizen_for_identity(*, provider: IdentityProvider, sub: str) -> User | None:
    """The active citizen who signs in with this (provider, sub), if any."""
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, sub=sub, user__role=Role.CITIZEN)
        .first()
    )
    return link.user if link is not None else None


@transaction.atomic
def citizen_sign_in(*, provider: IdentityProvider, sub: str, identity: IdentityPivot) -> User | None:
    """Refresh a known citizen's identité pivot at sign-in; None if this identity is unknown."""
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, sub=sub, user__role=Role.CITIZEN)
        .first()
    )
    if link is None:
        return None
    _apply_identity(link.user, identity)
    link.user.save()
    link.last_login_at = timezone.now()
    link.save(update_fields=["last_login_at"])
    return link.user


def citizen_create(*, provider: IdentityProvider, sub: str, identity: IdentityPivot) -> User:
    """Create the citizen's account after they accepted the terms; idempotent on (provider, sub).

    Two tabs accepting at once create one account: the unique (provider, sub) constraint
    makes the second insert fail, and the second caller gets the first one's account.
    """
    existing = citizen_sign_in(provider=provider, sub=sub, identity=identity)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            user = User(username=f"fc-{secrets.token_hex(12)}", role=Role.CITIZEN, email=identity.email)
            user.set_unusable_password()
            _apply_identity(user, identity)
            user.terms_accepted_at = timezone.now()
            user.save()
            ExternalIdentity.objects.create(user=user, provider=provider, sub=sub, last_login_at=timezone.now())
            return user
    except IntegrityError:
        existing = citizen_sign_in(provider=provider, sub=sub, identity=identity)
        if existing is None:
            raise
        return existing


@transaction.atomic
def citizen_contact_update(*, user: User, email: str, notify_by_email: bool) -> User:
    user.email = email
    user.notify_by_email = notify_by_email
    user.save(update_fields=["email", "notify_by_email"])
    return user


@transaction.atomic
def agent_sign_in(*, sub: str, identity: AgentIdentity) -> User | None:
    """Sign in an agent from ProConnect, matched by email to a staff invitation.

    An agent already known keeps their account (looked up by (provider, sub), then email);
    open invitations for their email become memberships. An email that no invitation or
    agent account names gets None: ProConnect alone never creates an account.
    """
    invitations = list(
        AgentInvitation.objects.select_for_update()
        .filter(email__iexact=identity.email, revoked_at__isnull=True, accepted_at__isnull=True)
        .select_related("service")
    )
    link = (
        ExternalIdentity.objects.filter(provider=IdentityProvider.PROCONNECT, sub=sub).select_related("user").first()
    )
    user = (
        link.user if link is not None else User.objects.filter(email__iexact=identity.email, role=Role.AGENT).first()
    )
    if user is None and not invitations:
        return None
    if user is not None and (user.role != Role.AGENT or not user.is_active):
        return None
    if user is None:
        user = User(username=f"pc-{secrets.token_hex(12)}", role=Role.AGENT)
        user.set_unusable_password()
    user.first_name = identity.given_name[:150]
    user.last_name = identity.usual_name[:150]
    user.email = identity.email
    user.save()
    now = timezone.now()
    for invitation in invitations:
        ServiceMembership.objects.update_or_create(
            user=user, service=invitation.service, defaults={"role": invitation.role}
        )
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
    if not user.memberships.exists():
        # Every membership was revoked since: nothing left to instruct.
        return None
    ExternalIdentity.objects.update_or_create(
        provider=IdentityProvider.PROCONNECT, sub=sub, defaults={"user": user, "last_login_at": now}
    )
    return user


@transaction.atomic
def agent_invite(*, email: str, service: Service, role: ServiceRole, invited_by: User | None) -> AgentInvitation:
    """Invite an agent to a service; inviting the same email twice keeps one open invitation."""
    invitation, created = AgentInvitation.objects.get_or_create(
        email=email.strip().lower(),
        service=service,
        revoked_at__isnull=True,
        defaults={"role": role, "invited_by": invited_by},
    )
    if not created and invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    return invitation


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str
    email: str
    # Empty for accounts that sign in through a provider (FranceConnect, ProConnect).
    password: str = ""
    is_superuser: bool = False
    # Base32 TOTP secret of a confirmed device (staff): add it to any authenticator app.
    totp_secret: str = ""


# A demo secret, public on purpose: demo data is never loaded in production.
DEMO_STAFF_TOTP_SECRET = "CIVIQUESTDEMOTOTPADMINKEY2345672"  # noqa: S105
DEMO_ACCOUNTS = (
    # Karim signs in with the ProConnect sandbox, matched by this email.
    DemoAccount("agent", Role.AGENT, "Karim", "Benali", "karim.benali@mairie-exemple.fr"),
    DemoAccount(
        "admin",
        Role.STAFF,
        "Sophie",
        "Durand",
        "sophie.durand@civiquest.example",
        password="demo-admin-2026",  # noqa: S106
        is_superuser=True,
        totp_secret=DEMO_STAFF_TOTP_SECRET,
    ),
)
DEMO_SERVICES = (
    ("Mairie de Nouméa", ServiceKind.MAIRIE, "98818"),
    ("Haut-commissariat de la République en Nouvelle-Calédonie", ServiceKind.PREFECTURE, "98818"),
)
# Invited, not yet signed in: the first ProConnect sign-in turns the invitation into a membership.
DEMO_INVITATIONS = (("lea.nguyen@haut-commissariat-exemple.gouv.fr", 1, ServiceRole.INSTRUCTOR),)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create or reset the demo accounts, services and invitations; safe to run again."""
    services = [
        Service.objects.get_or_create(name=name, defaults={"kind": kind, "commune_code": code})[0]
        for name, kind, code in DEMO_SERVICES
    ]
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.select_for_update().get_or_create(username=account.username)
        user.role = account.role
        user.first_name = account.first_name
        user.last_name = account.last_name
        user.email = account.email
        user.is_active = True
        user.is_superuser = account.is_superuser
        user.is_staff = account.is_superuser
        if account.password:
            user.set_password(account.password)
        else:
            user.set_unusable_password()
        user.save()
        if account.role == Role.AGENT:
            ServiceMembership.objects.get_or_create(
                user=user, service=services[0], defaults={"role": ServiceRole.MANAGER}
            )
        if account.totp_secret:
            staff_auth.totp_device_set(user=user, key_hex=b32decode(account.totp_secret).hex())
    for email, service_index, role in DEMO_INVITATIONS:
        already_member = ServiceMembership.objects.filter(
            user__email__iexact=email, service=services[service_index]
        ).exists()
        if not already_member:
            agent_invite(email=email, service=services[service_index], role=role, invited_by=None)
    return list(DEMO_ACCOUNTS)


@transaction.atomic
def invitation_revoke(*, invitation: AgentInvitation) -> AgentInvitation:
    """Revoke an open invitation; revoking twice changes nothing."""
    locked = AgentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is None and locked.accepted_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def membership_revoke(*, membership_id: int) -> ServiceMembership | None:
    """Take an agent out of a service: from now on they see none of its quests. Idempotent (None if gone)."""
    membership = (
        ServiceMembership.objects.select_for_update()
        .select_related("user", "service")
        .filter(pk=membership_id)
        .first()
    )
    if membership is not None:
        ServiceMembership.objects.filter(pk=membership.pk).delete()
    return membership
