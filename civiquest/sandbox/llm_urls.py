"""The LLM sandbox's OpenAI-compatible routes, appended to ``civiquest.sandbox.urls`` (under ``/sandbox/llm/v1/``)."""

from django.urls import URLPattern, path

from civiquest.sandbox import llm

urlpatterns: list[URLPattern] = [
    path("llm/v1/models", llm.models, name="llm-models"),
    path("llm/v1/chat/completions", llm.chat_completions, name="llm-chat-completions"),
]
