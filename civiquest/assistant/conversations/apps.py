from django.apps import AppConfig


class AssistantConversationsConfig(AppConfig):
    """The assistant's conversations with citizens: questions, answers, feedback, retention."""

    name = "civiquest.assistant.conversations"
    label = "assistant_conversations"
    verbose_name = "Conversations avec l’assistant"
