"""Django's admin, restricted to superusers: it is a maintenance tool, not a portal."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(AdminSite):
    site_header = "CiviQuest — administration technique"
    site_title = "CiviQuest"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class SuperuserAdminConfig(AdminConfig):
    default_site = "civiquest.core.admin_config.SuperuserAdminSite"
