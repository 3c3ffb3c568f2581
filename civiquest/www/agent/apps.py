from django.apps import AppConfig


class AgentPortalConfig(AppConfig):
    """The agent portal: views, forms and urls; no models."""

    name = "civiquest.www.agent"
    label = "agent_portal"
    verbose_name = "Portail agent"
