"""The sandbox providers' state, in the database so that every worker process shares it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """A key a sandbox provider signs id_tokens and userinfo with.

    One active key per (provider, algorithm). Rotation retires it: a retired key signs no
    more but stays in the published key set for a grace period, unless it is withdrawn.
    """

    provider = models.CharField(max_length=16)
    algorithm = models.CharField(max_length=8)
    kid = models.CharField(max_length=64, unique=True)
    private_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clé de signature du bac à sable")
        verbose_name_plural = _("clés de signature du bac à sable")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "algorithm"],
                condition=models.Q(retired_at__isnull=True),
                name="sandbox_one_active_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.algorithm} {self.kid}"


class Grant(models.Model):
    """One sign-in at a sandbox provider: its code, then its access token and id_token facts."""

    provider = models.CharField(max_length=16)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=500)
    nonce = models.CharField(max_length=200)
    acr = models.CharField(max_length=16)
    identity_id = models.CharField(max_length=64)
    sid = models.CharField(max_length=64)
    auth_time = models.DateTimeField()
    code = models.CharField(max_length=64, unique=True)
    code_expires_at = models.DateTimeField()
    code_used_at = models.DateTimeField(null=True, blank=True)
    access_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("autorisation du bac à sable")
        verbose_name_plural = _("autorisations du bac à sable")
        indexes = [models.Index(fields=["created_at"], name="sandbox_grant_created_idx")]

    def __str__(self) -> str:
        return f"{self.provider} {self.identity_id} {self.created_at:%Y-%m-%d %H:%M}"
