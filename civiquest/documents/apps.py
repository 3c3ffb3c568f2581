from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The document wallet: private storage, type sniffing, scanning, title expiry."""

    name = "civiquest.documents"
    label = "documents"
    verbose_name = "Porte-documents"
