from celery import shared_task

from civiquest.assistant import services


@shared_task(name="assistant.knowledge_refresh", ignore_result=True)
def knowledge_refresh() -> None:
    """Mirror the published procedures into the knowledge base and rebuild the retrieval index."""
    services.knowledge_refresh_now()
