from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Site-wide settings for the layout; read from settings, so no query per request."""
    return {
        "SITE_TITLE": settings.CIVIQUEST_SITE_TITLE,
        "SITE_BRAND_HTML": settings.CIVIQUEST_BRAND_HTML,
        "SITE_CONTACT_EMAIL": settings.CIVIQUEST_CONTACT_EMAIL,
    }
