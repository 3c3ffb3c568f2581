from celery import shared_task
from django.conf import settings

from civiquest.integrations.address.moving import services


@shared_task(name="moving.dispatch_send", ignore_result=True)
def moving_dispatch_send(dispatch_id: int) -> None:
    """Send one organisation's dispatch; on a failure, again later with exponential backoff."""
    if services.dispatch_send(dispatch_id=dispatch_id):
        attempts = services.MoveDispatch.objects.filter(pk=dispatch_id).values_list("attempts", flat=True).first() or 1
        backoff = float(getattr(settings, "MOVING_DISPATCH_BACKOFF_SECONDS", 30))
        moving_dispatch_send.apply_async((dispatch_id,), countdown=backoff * 2 ** (attempts - 1))


@shared_task(name="moving.dispatches_refresh", ignore_result=True)
def moving_dispatches_refresh() -> int:
    """Periodic: where each dispatch still waiting for its organisation stands."""
    return services.dispatches_refresh()
