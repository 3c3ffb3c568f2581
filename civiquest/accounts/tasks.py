import logging

from celery import shared_task

from civiquest.accounts import api_tokens, audit

logger = logging.getLogger("civiquest.audit")


@shared_task(name="accounts.audit_verify", ignore_result=True)
def audit_verify() -> bool:
    """The daily check of the audit log's hash chain (also ``manage.py audit_verify``).

    A broken link is logged as an error (the alerting reads error logs); an intact chain
    logs its length and head hash, which the shipped logs keep as outside witnesses of it.
    """
    report = audit.audit_verify()
    if report.ok:
        logger.info("audit chain intact: %s event(s), head %s", report.count, report.head_hash)
        return True
    logger.error(
        "audit chain broken: %s broken link(s) in %s event(s); first: %s",
        report.broken,
        report.count,
        "; ".join(f"sequence {broken.sequence}: {broken.reason}" for broken in report.breaks[:10]),
    )
    return False


@shared_task(name="accounts.api_token_uses_purge", ignore_result=True)
def api_token_uses_purge() -> int:
    """Delete the API tokens' use log past its retention (daily; ``manage.py api_token_uses_purge``)."""
    return api_tokens.token_uses_purge()
