from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """Knowledge base, retrieval, LLM providers, guardrails, conversations; next-best-action recommender."""

    name = "civiquest.assistant"
    label = "assistant"
    verbose_name = "Assistant"
