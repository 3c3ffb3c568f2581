"""The use cases: one typed, keyword-only function per user action, above the domains.

Each runs in one transaction (``core.transactions.use_case``: the domain writes join it
without savepoints of their own; ``moving`` says why it keeps Django's), calls the domains
in order, then makes the follow-up calls explicitly (rewards, deadlines, notifications,
audit): nothing happens behind the caller's back, no signal. Views, the API, Celery tasks
and management commands call these and the domains' selectors; the domains never import
this package.
"""
