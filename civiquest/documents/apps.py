from django.apps import AppConfig

from civiquest.core.citizen_cache import invalidate_citizen_on_change


class DocumentsConfig(AppConfig):
    """The document wallet: private storage, type sniffing, scanning, title expiry."""

    name = "civiquest.documents"
    label = "documents"
    verbose_name = "Porte-documents"

    def ready(self) -> None:
        from civiquest.documents.models import Document  # noqa: PLC0415 - models load after the app registry

        # The citizen's cached reads (the home's deadlines) change with their wallet: core.citizen_cache.
        invalidate_citizen_on_change(Document, lambda document: document.owner_id)
